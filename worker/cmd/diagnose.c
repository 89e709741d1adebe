/*
 * cmd/diagnose.c - `mtw-worker diagnose`: which route, trip and stop ids
 * of a city's realtime feeds its static feed does not know.
 *
 * Reads the vehicles and trip updates feeds (files or http(s) URLs; by
 * default the city's MTW_VEHICLES_URL / MTW_TRIPS_URL), the schedule of the
 * service day from PostgreSQL, and prints the report as JSON: the same
 * body the run loop publishes as the feed-health document.
 */
#include "config.h"
#include "docs/docs.h"
#include "feed/http.h"
#include "feed/readfile.h"
#include "feed/snapshot.h"
#include "jobs/ingest.h"
#include "jobs/live_model.h"
#include "score/diagnose.h"
#include "store/pg.h"
#include "store/schedule_pg.h"
#include "util/cli.h"
#include "util/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the body of a file or an http(s) URL, malloc'd; NULL with err */
static uint8_t *feed_body(const char *where, size_t *len, char *err,
                          size_t errlen)
{
    if (strncmp(where, "http://", 7) != 0
        && strncmp(where, "https://", 8) != 0)
    {
        return mtw_read_file(where, (size_t) MTW_RT_MAX_BYTES_DEFAULT, len,
                             err, errlen);
    }
    /* a one-off request: the run loop's default timeouts */
    return mtw_http_get(where, 5000, 20000, (size_t) MTW_RT_MAX_BYTES_DEFAULT,
                        len, err, errlen);
}

static int load_feed(const char *where, mtw_snapshot *snap, char *err,
                     size_t errlen)
{
    char why[512];
    size_t len = 0;
    uint8_t *body = feed_body(where, &len, why, sizeof(why));
    int rc;

    if (body == NULL) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    rc = mtw_snapshot_decode(snap, body, len, (int64_t) time(NULL), why,
                             sizeof(why));
    free(body);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", where, why);
    }
    return rc;
}

static int diagnose_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { "date", required_argument, NULL, 'd' },
        { "vehicles", required_argument, NULL, 'v' },
        { "trips", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 }
    };
    const char *vehicles = NULL, *trips = NULL;
    int opt, status, date, rc = MTW_EXIT_FAILURE;
    mtw_config cfg;
    mtw_city_row city;
    mtw_snapshot vs, ts;
    mtw_schedule *s = NULL;
    mtw_live *l = NULL;
    mtw_feed_report report;
    mtw_jbuf w;
    PGconn *conn = NULL;
    int64_t now;
    char err[1024];

    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "mtw-worker diagnose: %s\n", err);
        return MTW_EXIT_USAGE;
    }
    optind = 1;
    while ((opt = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        switch (opt) {
        case MTW_CLI_STOP:
            return status;
        case 'c':
            cfg.city = optarg;
            break;
        case 'd':
            if (strcmp(optarg, "auto") != 0
                && mtw_date_parse(optarg, &date) != 0)
            {
                return mtw_cli_usage_error(cmd, "--date: '%s' is not "
                                           "YYYY-MM-DD or auto", optarg);
            }
            cfg.service_date = optarg;
            break;
        case 'v':
            vehicles = optarg;
            break;
        case 't':
            trips = optarg;
            break;
        }
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (cfg.city == NULL) {
        return mtw_cli_usage_error(cmd, "--city (or MTW_CITY) is required");
    }
    vehicles = vehicles != NULL ? vehicles : cfg.vehicles_url;
    trips = trips != NULL ? trips : cfg.trips_url;
    if (vehicles == NULL && trips == NULL) {
        return mtw_cli_usage_error(cmd, "--vehicles or --trips (or "
                                   "MTW_VEHICLES_URL / MTW_TRIPS_URL) is "
                                   "required");
    }
    mtw_snapshot_init(&vs, MTW_FEED_VEHICLES);
    mtw_snapshot_init(&ts, MTW_FEED_TRIPS);
    mtw_jbuf_init(&w);
    if ((vehicles != NULL
         && load_feed(vehicles, &vs, err, sizeof(err)) != 0)
        || (trips != NULL && load_feed(trips, &ts, err, sizeof(err)) != 0))
    {
        goto fail;
    }
    /* the feeds' own time places the trips of the day */
    now = vehicles != NULL ? vs.header_ts : ts.header_ts;
    conn = mtw_pg_connect(cfg.database_url, err, sizeof(err));
    if (conn == NULL) {
        goto fail;
    }
    if (mtw_city_open(conn, cfg.city, cfg.service_date, now, &city, &date,
                      err, sizeof(err)) != 0)
    {
        goto fail;
    }
    s = mtw_schedule_load(conn, &city, date, 0, err, sizeof(err));
    if (s == NULL) {
        goto fail;
    }
    l = mtw_live_from_snapshots(vehicles != NULL ? &vs : NULL,
                                trips != NULL ? &ts : NULL, NULL);
    if (l == NULL || mtw_feed_diagnose(s, l, now, &report) != 0) {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    mtw_doc_feed_report(&w, &report, city.slug, date, now);
    if (w.failed) {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    printf("%.*s\n", (int) w.len, w.buf);
    rc = MTW_EXIT_OK;
fail:
    if (rc != MTW_EXIT_OK) {
        fprintf(stderr, "mtw-worker diagnose: %s\n", err);
    }
    mtw_jbuf_free(&w);
    mtw_live_free(l);
    mtw_schedule_free(s);
    mtw_snapshot_free(&vs);
    mtw_snapshot_free(&ts);
    if (conn != NULL) {
        PQfinish(conn);
    }
    return rc;
}

const mtw_command mtw_cmd_diagnose = {
    "diagnose",
    "which realtime route, trip and stop ids the static feed does not know",
    "usage: mtw-worker diagnose --city SLUG [--date YYYY-MM-DD|auto]\n"
    "                           [--vehicles FILE|URL] [--trips FILE|URL]\n"
    "\n"
    "Reads the city's realtime feeds (default MTW_VEHICLES_URL and\n"
    "MTW_TRIPS_URL; a file or an http(s) URL each) and the schedule of the\n"
    "service day from PostgreSQL, and prints as JSON how many distinct\n"
    "route, trip and stop ids the feeds name, how many the schedule does\n"
    "not know, and a few of those; and how many vehicles matched a\n"
    "scheduled trip.  The run loop publishes the same report as the\n"
    "feed-health document.\n"
    "\n"
    "  --city SLUG      the city (default: $MTW_CITY)\n"
    "  --date D         service date (default: $MTW_SERVICE_DATE, else the\n"
    "                   feed's day); auto maps it into the feed's calendar\n"
    "  --vehicles W     VehiclePositions file or URL\n"
    "  --trips W        TripUpdates file or URL\n",
    diagnose_main
};
