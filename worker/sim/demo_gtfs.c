/*
 * demo_gtfs.c - writes the demo GTFS zip with libzip.
 */
#include "sim/demo_gtfs.h"
#include "sim/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define DEMO_LAT 52.1300
#define DEMO_LON (-106.6600)

typedef struct {
    const char *id, *short_name, *long_name, *color;
    double      dlat, dlon;     /* direction of the line (unit steps) */
    double      bend;           /* sideways curve amplitude, degrees */
    int         n_stops;
    int         headway_min;
} demo_route;

static const demo_route demo_routes[] = {
    { "R1", "1", "Riverside - University", "E03C31", 0.0, 0.0105, 0.004, 12, 8 },
    { "R2", "2", "North Park - Stonebridge", "0072CE", 0.0070, 0.0, 0.003, 10, 15 },
    { "R3", "3", "Airport - Market Mall", "00843D", 0.0050, 0.0070, 0.002, 8, 30 },
};
#define DEMO_NROUTES (sizeof(demo_routes) / sizeof(demo_routes[0]))

typedef struct {
    char  *data;
    size_t len;
    FILE  *f;
} demo_file;

/* Stop k of route r (k centred on the city centre). */
static void demo_stop_pos(const demo_route *r, int k, double *lat,
                          double *lon)
{
    double t = k - (r->n_stops - 1) / 2.0;
    double side = r->bend * sin(M_PI * k / (r->n_stops - 1));

    *lat = DEMO_LAT + r->dlat * t + side * (r->dlon != 0);
    *lon = DEMO_LON + r->dlon * t + side * (r->dlat != 0);
}

static int demo_open(demo_file *f)
{
    f->data = NULL;
    f->len = 0;
    f->f = open_memstream(&f->data, &f->len);
    return f->f != NULL ? 0 : -1;
}

int mtw_demo_gtfs_write(const char *path, char *err, size_t errlen)
{
    static const char *const names[] = {
        "agency.txt", "calendar.txt", "routes.txt", "stops.txt",
        "shapes.txt", "trips.txt", "stop_times.txt"
    };
    demo_file f[7];
    const demo_route *r;
    zip_t *za;
    zip_source_t *src;
    zip_error_t ze;
    double lat, lon, plat, plon, seg;
    int i, k, p, dir, dep, t, trip_n, zerr, rc = -1;
    unsigned ri;

    memset(f, 0, sizeof(f));
    for (i = 0; i < 7; i++) {
        if (demo_open(&f[i]) != 0) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
    }
    fprintf(f[0].f, "agency_id,agency_name,agency_url,agency_timezone,"
            "agency_lang\r\ndemo,Mind the Wait Demo Transit,"
            "https://example.org/demo,America/Regina,en\r\n");
    fprintf(f[1].f, "service_id,monday,tuesday,wednesday,thursday,friday,"
            "saturday,sunday,start_date,end_date\r\n"
            "ALL,1,1,1,1,1,1,1,20200101,20991231\r\n");
    fprintf(f[2].f, "route_id,agency_id,route_short_name,route_long_name,"
            "route_type,route_color,route_text_color\r\n");
    fprintf(f[3].f, "stop_id,stop_name,stop_lat,stop_lon\r\n");
    fprintf(f[4].f, "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,"
            "shape_dist_traveled\r\n");
    fprintf(f[5].f, "route_id,service_id,trip_id,trip_headsign,"
            "direction_id,shape_id\r\n");
    fprintf(f[6].f, "trip_id,arrival_time,departure_time,stop_id,"
            "stop_sequence\r\n");
    for (ri = 0; ri < DEMO_NROUTES; ri++) {
        r = &demo_routes[ri];
        fprintf(f[2].f, "%s,demo,%s,%s,3,%s,FFFFFF\r\n", r->id, r->short_name,
                r->long_name, r->color);
        for (k = 0; k < r->n_stops; k++) {
            demo_stop_pos(r, k, &lat, &lon);
            fprintf(f[3].f, "%s-%02d,%s Stop %d,%.6f,%.6f\r\n", r->id, k,
                    r->long_name, k + 1, lat, lon);
        }
        /* shapes: 8 points per stop gap, both directions */
        for (dir = 0; dir < 2; dir++) {
            double dist = 0;

            plat = plon = 0;
            for (p = 0; p <= (r->n_stops - 1) * 8; p++) {
                double kk = p / 8.0;
                double t2 = kk - (r->n_stops - 1) / 2.0;
                double side = r->bend * sin(M_PI * kk / (r->n_stops - 1));

                if (dir == 1) {
                    t2 = -t2;
                    side = r->bend * sin(M_PI * ((r->n_stops - 1) - kk)
                                         / (r->n_stops - 1));
                }
                lat = DEMO_LAT + r->dlat * t2 + side * (r->dlon != 0);
                lon = DEMO_LON + r->dlon * t2 + side * (r->dlat != 0);
                if (p > 0) {
                    dist += mtw_sim_metres(plat, plon, lat, lon);
                }
                fprintf(f[4].f, "%s-%d,%.6f,%.6f,%d,%.1f\r\n", r->id, dir,
                        lat, lon, p + 1, dist);
                plat = lat;
                plon = lon;
            }
        }
        /* trips around the clock at the route's headway: the demo and the
         * end-to-end test run on the wall clock, whatever the hour */
        trip_n = 0;
        for (dep = 0; dep <= 24 * 3600; dep += r->headway_min * 60) {
            for (dir = 0; dir < 2; dir++) {
                fprintf(f[5].f, "%s,ALL,%s-%d-%04d,%s,%d,%s-%d\r\n", r->id,
                        r->id, dir, trip_n, dir == 0 ? "Outbound" : "Inbound",
                        dir, r->id, dir);
                t = dep;
                for (k = 0; k < r->n_stops; k++) {
                    int stop = dir == 0 ? k : r->n_stops - 1 - k;

                    if (k > 0) {
                        int prev = dir == 0 ? k - 1 : r->n_stops - k;

                        demo_stop_pos(r, prev, &plat, &plon);
                        demo_stop_pos(r, stop, &lat, &lon);
                        seg = mtw_sim_metres(plat, plon, lat, lon);
                        t += (int) (seg / 7.0) + 30;    /* 25 km/h + lights */
                    }
                    fprintf(f[6].f, "%s-%d-%04d,%d:%02d:%02d,%d:%02d:%02d,"
                            "%s-%02d,%d\r\n", r->id, dir, trip_n,
                            t / 3600, t / 60 % 60, t % 60,
                            (t + 20) / 3600, (t + 20) / 60 % 60,
                            (t + 20) % 60, r->id, stop, k + 1);
                    t += 20;                            /* dwell */
                }
            }
            trip_n++;
        }
    }
    for (i = 0; i < 7; i++) {
        if (fclose(f[i].f) != 0) {
            f[i].f = NULL;
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        f[i].f = NULL;
    }
    za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (za == NULL) {
        zip_error_init_with_code(&ze, zerr);
        snprintf(err, errlen, "cannot create %s: %s", path,
                 zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto done;
    }
    for (i = 0; i < 7; i++) {
        src = zip_source_buffer(za, f[i].data, f[i].len, 0);
        if (src == NULL || zip_file_add(za, names[i], src,
                                        ZIP_FL_OVERWRITE) < 0)
        {
            zip_source_free(src);
            snprintf(err, errlen, "cannot add %s: %s", names[i],
                     zip_strerror(za));
            zip_discard(za);
            goto done;
        }
    }
    if (zip_close(za) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, zip_strerror(za));
        zip_discard(za);
        goto done;
    }
    rc = 0;
done:
    for (i = 0; i < 7; i++) {
        if (f[i].f != NULL) {
            fclose(f[i].f);
        }
        free(f[i].data);
    }
    return rc;
}
