/*
 * schedule.c - GTFS zip -> mtw_sim_schedule (the simulator's input).
 */
#include "sim/schedule.h"
#include "util/grow.h"

#include "gtfs/csv.h"
#include "gtfs/gtfs_zip.h"
#include "gtfs/parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ID_STOPS, ID_ROUTES, ID_TRIPS, ID_SERVICES, ID_SHAPES };

/* Interns id into set; its index is kept in the entry's count. */
static int32_t intern(mtw_idset *set, const char *id, size_t *n, int *added)
{
    mtw_id *e = mtw_idset_add(set, id, strlen(id), 0, added);

    if (e == NULL) {
        return -1;
    }
    if (*added) {
        e->count = (int32_t) (*n)++;
    }
    return e->count;
}

static int32_t lookup(const mtw_idset *set, const char *id)
{
    mtw_id *e = mtw_idset_find(set, id, strlen(id));

    return e != NULL ? e->count : -1;
}

static const char *id_of(const mtw_idset *set, const char *id)
{
    mtw_id *e = mtw_idset_find(set, id, strlen(id));

    return e != NULL ? e->id : NULL;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

static int load_stops(mtw_sim_schedule *s, mtw_gtfs_zip *zip, char *err,
                      size_t errlen)
{
    mtw_csv *csv = mtw_gtfs_zip_csv_open(zip, "stops.txt", err, errlen);
    size_t cap = 0;
    int cid, clat, clon, rc, added;
    double lat, lon;
    int32_t i;

    if (csv == NULL) {
        return -1;
    }
    cid = mtw_csv_column(csv, "stop_id");
    clat = mtw_csv_column(csv, "stop_lat");
    clon = mtw_csv_column(csv, "stop_lon");
    while ((rc = mtw_csv_next(csv)) == 1) {
        if (mtw_gtfs_parse_double(mtw_csv_field(csv, clat, NULL), -90, 90,
                                  &lat) != 0
            || mtw_gtfs_parse_double(mtw_csv_field(csv, clon, NULL), -180,
                                     180, &lon) != 0)
        {
            continue;   /* stations without coordinates are not visited */
        }
        i = intern(s->ids[ID_STOPS], mtw_csv_field(csv, cid, NULL),
                   &s->n_stops, &added);
        if (i < 0 || mtw_grow((void **) &s->stops, &cap,
            (size_t) i + 1, sizeof(*s->stops)) != 0)
        {
            FAIL("out of memory");
        }
        if (added) {
            s->stops[i].id = id_of(s->ids[ID_STOPS],
                                   mtw_csv_field(csv, cid, NULL));
            s->stops[i].lat = lat;
            s->stops[i].lon = lon;
        }
    }
    if (rc < 0) {
        FAIL("%s", mtw_csv_error(csv));
    }
    mtw_gtfs_zip_csv_close(csv);
    return 0;
fail:
    mtw_gtfs_zip_csv_close(csv);
    return -1;
}

static int load_routes(mtw_sim_schedule *s, mtw_gtfs_zip *zip, char *err,
                       size_t errlen)
{
    mtw_csv *csv = mtw_gtfs_zip_csv_open(zip, "routes.txt", err, errlen);
    size_t cap = 0;
    int cid, cname, rc, added;
    int32_t i;
    const char *name;

    if (csv == NULL) {
        return -1;
    }
    cid = mtw_csv_column(csv, "route_id");
    cname = mtw_csv_column(csv, "route_short_name");
    while ((rc = mtw_csv_next(csv)) == 1) {
        i = intern(s->ids[ID_ROUTES], mtw_csv_field(csv, cid, NULL),
                   &s->n_routes, &added);
        if (i < 0 || mtw_grow((void **) &s->routes, &cap,
            (size_t) i + 1, sizeof(*s->routes)) != 0)
        {
            FAIL("out of memory");
        }
        if (added) {
            s->routes[i].id = id_of(s->ids[ID_ROUTES],
                                    mtw_csv_field(csv, cid, NULL));
            name = mtw_csv_field(csv, cname, NULL);
            s->routes[i].short_name = strdup(*name ? name : s->routes[i].id);
            if (s->routes[i].short_name == NULL) {
                FAIL("out of memory");
            }
        }
    }
    if (rc < 0) {
        FAIL("%s", mtw_csv_error(csv));
    }
    mtw_gtfs_zip_csv_close(csv);
    return 0;
fail:
    mtw_gtfs_zip_csv_close(csv);
    return -1;
}

static int32_t service_index(mtw_sim_schedule *s, const char *id,
                             size_t *cap)
{
    int added;
    int32_t i = intern(s->ids[ID_SERVICES], id, &s->n_services, &added);

    if (i < 0 || mtw_grow((void **) &s->services, cap,
        (size_t) i + 1, sizeof(*s->services)) != 0)
    {
        return -1;
    }
    if (added) {
        memset(&s->services[i], 0, sizeof(s->services[i]));
        s->services[i].id = id_of(s->ids[ID_SERVICES], id);
    }
    return i;
}

static void widen_range(mtw_sim_schedule *s, int32_t a, int32_t b)
{
    if (s->first_date == 0 || a < s->first_date) {
        s->first_date = a;
    }
    if (b > s->last_date) {
        s->last_date = b;
    }
}

static int load_calendar(mtw_sim_schedule *s, mtw_gtfs_zip *zip, size_t *scap,
                         char *err, size_t errlen)
{
    static const char *const days[7] = {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"
    };
    mtw_csv *csv;
    int col[7], cid, cs, ce, cd, ct, rc, k;
    int32_t i, a, b;
    long v;
    size_t xcap = 0;

    if (mtw_gtfs_zip_has(zip, "calendar.txt")) {
        csv = mtw_gtfs_zip_csv_open(zip, "calendar.txt", err, errlen);
        if (csv == NULL) {
            return -1;
        }
        cid = mtw_csv_column(csv, "service_id");
        cs = mtw_csv_column(csv, "start_date");
        ce = mtw_csv_column(csv, "end_date");
        for (k = 0; k < 7; k++) {
            col[k] = mtw_csv_column(csv, days[k]);
        }
        while ((rc = mtw_csv_next(csv)) == 1) {
            i = service_index(s, mtw_csv_field(csv, cid, NULL), scap);
            if (i < 0) {
                FAIL("out of memory");
            }
            if (mtw_gtfs_parse_date(mtw_csv_field(csv, cs, NULL), &a) != 0
                || mtw_gtfs_parse_date(mtw_csv_field(csv, ce, NULL), &b) != 0)
            {
                FAIL("calendar.txt:%ld: bad start_date or end_date",
                     mtw_csv_line(csv));
            }
            s->services[i].start = a;
            s->services[i].end = b;
            for (k = 0; k < 7; k++) {
                if (mtw_gtfs_parse_int(mtw_csv_field(csv, col[k], NULL), 0, 1,
                                       &v) == 0 && v == 1)
                {
                    s->services[i].weekdays |= 1u << k;
                }
            }
            widen_range(s, a, b);
        }
        if (rc < 0) {
            FAIL("%s", mtw_csv_error(csv));
        }
        mtw_gtfs_zip_csv_close(csv);
    }
    if (mtw_gtfs_zip_has(zip, "calendar_dates.txt")) {
        csv = mtw_gtfs_zip_csv_open(zip, "calendar_dates.txt", err, errlen);
        if (csv == NULL) {
            return -1;
        }
        cid = mtw_csv_column(csv, "service_id");
        cd = mtw_csv_column(csv, "date");
        ct = mtw_csv_column(csv, "exception_type");
        while ((rc = mtw_csv_next(csv)) == 1) {
            i = service_index(s, mtw_csv_field(csv, cid, NULL), scap);
            if (i < 0 || mtw_grow((void **) &s->exceptions, &xcap,
                s->n_exceptions + 1, sizeof(*s->exceptions)) != 0)
            {
                FAIL("out of memory");
            }
            if (mtw_gtfs_parse_date(mtw_csv_field(csv, cd, NULL), &a) != 0
                || mtw_gtfs_parse_int(mtw_csv_field(csv, ct, NULL), 1, 2,
                                      &v) != 0)
            {
                FAIL("calendar_dates.txt:%ld: bad date or exception_type",
                     mtw_csv_line(csv));
            }
            s->exceptions[s->n_exceptions].date = a;
            s->exceptions[s->n_exceptions].service = i;
            s->exceptions[s->n_exceptions].added = v == 1;
            s->n_exceptions++;
            if (v == 1) {
                widen_range(s, a, a);
            }
        }
        if (rc < 0) {
            FAIL("%s", mtw_csv_error(csv));
        }
        mtw_gtfs_zip_csv_close(csv);
    }
    return 0;
fail:
    mtw_gtfs_zip_csv_close(csv);
    return -1;
}

typedef struct {
    int32_t  shape;
    uint32_t seq;
    double   lat, lon;
} raw_pt;

static int cmp_pt(const void *a, const void *b)
{
    const raw_pt *x = a, *y = b;

    if (x->shape != y->shape) {
        return x->shape < y->shape ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int load_shapes(mtw_sim_schedule *s, mtw_gtfs_zip *zip, char *err,
                       size_t errlen)
{
    mtw_csv *csv;
    raw_pt *pts = NULL;
    size_t cap = 0, n = 0, i, scap = 0, nshapes = 0;
    int cid, cla, clo, cseq, rc, added;
    double lat, lon;
    long seq;
    int32_t sh;

    if (!mtw_gtfs_zip_has(zip, "shapes.txt")) {
        return 0;
    }
    csv = mtw_gtfs_zip_csv_open(zip, "shapes.txt", err, errlen);
    if (csv == NULL) {
        return -1;
    }
    cid = mtw_csv_column(csv, "shape_id");
    cla = mtw_csv_column(csv, "shape_pt_lat");
    clo = mtw_csv_column(csv, "shape_pt_lon");
    cseq = mtw_csv_column(csv, "shape_pt_sequence");
    while ((rc = mtw_csv_next(csv)) == 1) {
        if (mtw_gtfs_parse_double(mtw_csv_field(csv, cla, NULL), -90, 90,
                                  &lat) != 0
            || mtw_gtfs_parse_double(mtw_csv_field(csv, clo, NULL), -180, 180,
                                     &lon) != 0
            || mtw_gtfs_parse_int(mtw_csv_field(csv, cseq, NULL), 0,
                                  4000000000L, &seq) != 0)
        {
            continue;
        }
        sh = intern(s->ids[ID_SHAPES], mtw_csv_field(csv, cid, NULL),
                    &nshapes, &added);
        if (sh < 0 || mtw_grow((void **) &pts, &cap,
            n + 1, sizeof(*pts)) != 0) {
            mtw_gtfs_zip_csv_close(csv);
            free(pts);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        pts[n].shape = sh;
        pts[n].seq = (uint32_t) seq;
        pts[n].lat = lat;
        pts[n].lon = lon;
        n++;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", mtw_csv_error(csv));
        mtw_gtfs_zip_csv_close(csv);
        free(pts);
        return -1;
    }
    mtw_gtfs_zip_csv_close(csv);
    qsort(pts, n, sizeof(*pts), cmp_pt);
    s->pt_lat = malloc((n ? n : 1) * sizeof(double));
    s->pt_lon = malloc((n ? n : 1) * sizeof(double));
    s->pt_dist = malloc((n ? n : 1) * sizeof(double));
    s->shapes = calloc(nshapes ? nshapes : 1, sizeof(*s->shapes));
    if (!s->pt_lat || !s->pt_lon || !s->pt_dist || !s->shapes) {
        free(pts);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    (void) scap;
    s->n_shapes = nshapes;
    for (i = 0; i < n; i++) {
        s->pt_lat[i] = pts[i].lat;
        s->pt_lon[i] = pts[i].lon;
        if (i == 0 || pts[i].shape != pts[i - 1].shape) {
            s->shapes[pts[i].shape].off = (uint32_t) i;
            s->pt_dist[i] = 0;
        } else {
            s->pt_dist[i] = s->pt_dist[i - 1]
                + mtw_sim_metres(pts[i - 1].lat, pts[i - 1].lon,
                                 pts[i].lat, pts[i].lon);
        }
        s->shapes[pts[i].shape].n++;
    }
    s->n_pts = n;
    free(pts);
    return 0;
}

static int load_trips(mtw_sim_schedule *s, mtw_gtfs_zip *zip, size_t *scap,
                      char *err, size_t errlen)
{
    mtw_csv *csv = mtw_gtfs_zip_csv_open(zip, "trips.txt", err, errlen);
    size_t cap = 0;
    int cid, cr, csv_s, csh, cd, rc, added;
    int32_t i, r;
    long d;
    mtw_sim_trip *t;

    if (csv == NULL) {
        return -1;
    }
    cid = mtw_csv_column(csv, "trip_id");
    cr = mtw_csv_column(csv, "route_id");
    csv_s = mtw_csv_column(csv, "service_id");
    csh = mtw_csv_column(csv, "shape_id");
    cd = mtw_csv_column(csv, "direction_id");
    while ((rc = mtw_csv_next(csv)) == 1) {
        r = lookup(s->ids[ID_ROUTES], mtw_csv_field(csv, cr, NULL));
        if (r < 0) {
            continue;   /* unknown route: the loader reports those */
        }
        i = intern(s->ids[ID_TRIPS], mtw_csv_field(csv, cid, NULL),
                   &s->n_trips, &added);
        if (i < 0 || mtw_grow((void **) &s->trips, &cap,
            (size_t) i + 1, sizeof(*s->trips)) != 0)
        {
            FAIL("out of memory");
        }
        if (!added) {
            continue;
        }
        t = &s->trips[i];
        memset(t, 0, sizeof(*t));
        t->id = id_of(s->ids[ID_TRIPS], mtw_csv_field(csv, cid, NULL));
        t->route = r;
        t->service = service_index(s, mtw_csv_field(csv, csv_s, NULL), scap);
        if (t->service < 0) {
            FAIL("out of memory");
        }
        t->shape = lookup(s->ids[ID_SHAPES], mtw_csv_field(csv, csh, NULL));
        t->direction = mtw_gtfs_parse_int(mtw_csv_field(csv, cd, NULL), 0, 1,
                                          &d) == 0 ? (int) d : -1;
    }
    if (rc < 0) {
        FAIL("%s", mtw_csv_error(csv));
    }
    mtw_gtfs_zip_csv_close(csv);
    return 0;
fail:
    mtw_gtfs_zip_csv_close(csv);
    return -1;
}

typedef struct {
    int32_t           trip;
    mtw_sim_stop_time st;
} raw_st;

static int cmp_st(const void *a, const void *b)
{
    const raw_st *x = a, *y = b;

    if (x->trip != y->trip) {
        return x->trip < y->trip ? -1 : 1;
    }
    return x->st.seq < y->st.seq ? -1 : x->st.seq > y->st.seq;
}

static int load_stop_times(mtw_sim_schedule *s, mtw_gtfs_zip *zip, char *err,
                           size_t errlen)
{
    mtw_csv *csv = mtw_gtfs_zip_csv_open(zip, "stop_times.txt", err, errlen);
    raw_st *raw = NULL;
    size_t cap = 0, n = 0, i, j;
    int ct, ca, cdp, cs, cq, rc;
    int32_t trip, stop, arr, dep;
    long seq;

    if (csv == NULL) {
        return -1;
    }
    ct = mtw_csv_column(csv, "trip_id");
    ca = mtw_csv_column(csv, "arrival_time");
    cdp = mtw_csv_column(csv, "departure_time");
    cs = mtw_csv_column(csv, "stop_id");
    cq = mtw_csv_column(csv, "stop_sequence");
    while ((rc = mtw_csv_next(csv)) == 1) {
        trip = lookup(s->ids[ID_TRIPS], mtw_csv_field(csv, ct, NULL));
        stop = lookup(s->ids[ID_STOPS], mtw_csv_field(csv, cs, NULL));
        if (trip < 0 || stop < 0
            || mtw_gtfs_parse_int(mtw_csv_field(csv, cq, NULL), 0,
                                  4000000000L, &seq) != 0)
        {
            continue;
        }
        /* untimed stops are skipped; one of the two times suffices */
        if (mtw_gtfs_parse_time(mtw_csv_field(csv, ca, NULL), &arr) != 0) {
            if (mtw_gtfs_parse_time(mtw_csv_field(csv, cdp, NULL), &arr)
                != 0)
            {
                continue;
            }
        }
        if (mtw_gtfs_parse_time(mtw_csv_field(csv, cdp, NULL), &dep) != 0) {
            dep = arr;
        }
        if (mtw_grow((void **) &raw, &cap, n + 1, sizeof(*raw)) != 0) {
            free(raw);
            FAIL("out of memory");
        }
        raw[n].trip = trip;
        raw[n].st.arr = arr;
        raw[n].st.dep = dep < arr ? arr : dep;
        raw[n].st.stop = stop;
        raw[n].st.seq = (uint32_t) seq;
        raw[n].st.dist = -1;
        n++;
    }
    if (rc < 0) {
        free(raw);
        FAIL("%s", mtw_csv_error(csv));
    }
    mtw_gtfs_zip_csv_close(csv);
    qsort(raw, n, sizeof(*raw), cmp_st);
    s->st = malloc((n ? n : 1) * sizeof(*s->st));
    if (s->st == NULL) {
        free(raw);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (i = 0; i < n; i = j) {
        for (j = i; j < n && raw[j].trip == raw[i].trip; j++) {
            s->st[j] = raw[j].st;
        }
        s->trips[raw[i].trip].st_off = (uint32_t) i;
        s->trips[raw[i].trip].st_n = (uint32_t) (j - i);
    }
    s->n_st = n;
    free(raw);
    return 0;
fail:
    mtw_gtfs_zip_csv_close(csv);
    return -1;
}

static int cmp_freq(const void *a, const void *b)
{
    const mtw_sim_freq *x = a, *y = b;

    if (x->trip != y->trip) {
        return x->trip < y->trip ? -1 : 1;
    }
    return x->start < y->start ? -1 : x->start > y->start;
}

static int load_frequencies(mtw_sim_schedule *s, mtw_gtfs_zip *zip,
                            char *err, size_t errlen)
{
    mtw_csv *csv;
    size_t cap = 0, i;
    int ct, cs, ce, ch, rc;
    int32_t trip, a, b;
    long hw;

    if (!mtw_gtfs_zip_has(zip, "frequencies.txt")) {
        return 0;
    }
    csv = mtw_gtfs_zip_csv_open(zip, "frequencies.txt", err, errlen);
    if (csv == NULL) {
        return -1;
    }
    ct = mtw_csv_column(csv, "trip_id");
    cs = mtw_csv_column(csv, "start_time");
    ce = mtw_csv_column(csv, "end_time");
    ch = mtw_csv_column(csv, "headway_secs");
    while ((rc = mtw_csv_next(csv)) == 1) {
        trip = lookup(s->ids[ID_TRIPS], mtw_csv_field(csv, ct, NULL));
        if (trip < 0
            || mtw_gtfs_parse_time(mtw_csv_field(csv, cs, NULL), &a) != 0
            || mtw_gtfs_parse_time(mtw_csv_field(csv, ce, NULL), &b) != 0
            || mtw_gtfs_parse_int(mtw_csv_field(csv, ch, NULL), 1, 86400,
                                  &hw) != 0 || b <= a)
        {
            continue;
        }
        if (mtw_grow((void **) &s->freqs, &cap,
            s->n_freqs + 1, sizeof(*s->freqs)) != 0)
        {
            FAIL("out of memory");
        }
        s->freqs[s->n_freqs].trip = trip;
        s->freqs[s->n_freqs].start = a;
        s->freqs[s->n_freqs].end = b;
        s->freqs[s->n_freqs].headway = (int32_t) hw;
        s->n_freqs++;
    }
    if (rc < 0) {
        FAIL("%s", mtw_csv_error(csv));
    }
    mtw_gtfs_zip_csv_close(csv);
    if (s->n_freqs > 0) {
        qsort(s->freqs, s->n_freqs, sizeof(*s->freqs), cmp_freq);
    }
    for (i = 0; i < s->n_freqs; i++) {
        if (i == 0 || s->freqs[i].trip != s->freqs[i - 1].trip) {
            s->trips[s->freqs[i].trip].freq_off = (uint32_t) i;
        }
        s->trips[s->freqs[i].trip].freq_n++;
    }
    return 0;
fail:
    mtw_gtfs_zip_csv_close(csv);
    return -1;
}

static int load_agency(mtw_sim_schedule *s, mtw_gtfs_zip *zip, char *err,
                       size_t errlen)
{
    mtw_csv *csv = mtw_gtfs_zip_csv_open(zip, "agency.txt", err, errlen);
    int col;

    if (csv == NULL) {
        return -1;
    }
    col = mtw_csv_column(csv, "agency_timezone");
    if (mtw_csv_next(csv) == 1) {
        snprintf(s->tz, sizeof(s->tz), "%s", mtw_csv_field(csv, col, NULL));
    }
    mtw_gtfs_zip_csv_close(csv);
    if (s->tz[0] == '\0') {
        snprintf(err, errlen, "agency.txt: no agency_timezone");
        return -1;
    }
    return 0;
}

int mtw_sim_schedule_load(mtw_sim_schedule *s, const char *path, char *err,
                          size_t errlen)
{
    mtw_gtfs_zip *zip;
    size_t scap = 0;
    int k, rc = -1;

    memset(s, 0, sizeof(*s));
    for (k = 0; k < 5; k++) {
        s->ids[k] = mtw_idset_create();
        if (s->ids[k] == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    zip = mtw_gtfs_zip_open(path, err, errlen);
    if (zip == NULL) {
        return -1;
    }
    if (load_agency(s, zip, err, errlen) == 0
        && load_stops(s, zip, err, errlen) == 0
        && load_routes(s, zip, err, errlen) == 0
        && load_calendar(s, zip, &scap, err, errlen) == 0
        && load_shapes(s, zip, err, errlen) == 0
        && load_trips(s, zip, &scap, err, errlen) == 0
        && load_stop_times(s, zip, err, errlen) == 0
        && load_frequencies(s, zip, err, errlen) == 0)
    {
        rc = 0;
    }
    mtw_gtfs_zip_close(zip);
    if (rc == 0 && s->n_st == 0) {
        snprintf(err, errlen, "stop_times.txt: no timed stops to play");
        rc = -1;
    }
    return rc;
}

void mtw_sim_schedule_free(mtw_sim_schedule *s)
{
    size_t i;
    int k;

    for (i = 0; i < s->n_routes; i++) {
        free((char *) s->routes[i].short_name);
    }
    free(s->stops);
    free(s->routes);
    free(s->trips);
    free(s->st);
    free(s->shapes);
    free(s->pt_lat);
    free(s->pt_lon);
    free(s->pt_dist);
    free(s->services);
    free(s->exceptions);
    free(s->freqs);
    for (k = 0; k < 5; k++) {
        mtw_idset_free(s->ids[k]);
    }
    memset(s, 0, sizeof(*s));
}

int mtw_sim_service_active(const mtw_sim_schedule *s, int32_t svc,
                           int32_t date)
{
    const mtw_sim_service *sv = &s->services[svc];
    int active;
    size_t i;

    active = sv->start != 0 && date >= sv->start && date <= sv->end
             && (sv->weekdays >> mtw_date_weekday(date) & 1u);
    for (i = 0; i < s->n_exceptions; i++) {
        if (s->exceptions[i].service == svc
            && s->exceptions[i].date == date)
        {
            active = s->exceptions[i].added;
        }
    }
    return active;
}

double mtw_sim_metres(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371000.0, rad = M_PI / 180.0;
    double x = (lon2 - lon1) * rad * cos((lat1 + lat2) / 2 * rad);
    double y = (lat2 - lat1) * rad;

    return r * sqrt(x * x + y * y);
}

void mtw_sim_trip_distances(mtw_sim_schedule *s, mtw_sim_trip *t)
{
    mtw_sim_stop_time *st = s->st + t->st_off;
    const mtw_sim_shape *sh;
    const mtw_sim_stop *stop;
    uint32_t i, p, from = 0, best;
    double d, bestd;

    if (t->dist_done) {
        return;
    }
    t->dist_done = 1;
    if (t->shape < 0 || s->shapes[t->shape].n < 2) {
        return;
    }
    sh = &s->shapes[t->shape];
    /* each stop at the nearest shape point at or after the previous
     * stop's, so loops and out-and-back shapes stay in order */
    for (i = 0; i < t->st_n; i++) {
        stop = &s->stops[st[i].stop];
        best = from;
        bestd = 1e18;
        for (p = from; p < sh->n; p++) {
            d = mtw_sim_metres(stop->lat, stop->lon,
                               s->pt_lat[sh->off + p], s->pt_lon[sh->off + p]);
            if (d < bestd) {
                bestd = d;
                best = p;
            }
        }
        st[i].dist = s->pt_dist[sh->off + best];
        from = best;
    }
}
