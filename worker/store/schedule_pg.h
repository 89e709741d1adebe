/*
 * schedule_pg.h - loads a city's service-day schedule from PostgreSQL.
 *
 * Reads the city row (id, time zone, gtfs_version), the calendar, then only
 * the trips whose service runs on the service date or the day before (trips
 * past midnight), their stop times (through a cursor, in batches, so a
 * x20 feed never sits whole in libpq's memory), the routes, stops and
 * frequencies, and builds the schedule (score/schedule.h).  All values go
 * as parameters.  The run loop calls it once per service day and again
 * when city.gtfs_version changes (a re-import).
 */
#ifndef MTW_STORE_SCHEDULE_PG_H
#define MTW_STORE_SCHEDULE_PG_H

#include "score/metrics.h"
#include "score/route_history.h"
#include "score/schedule.h"
#include "score/shape.h"
#include "score/timetable.h"

#include <libpq-fe.h>
#include <stddef.h>

typedef struct {
    int id;
    char slug[64];
    char name[128];
    char tz[64];
    char country[8];
    double center_lat, center_lon;  /* NaN when unset */
    int zoom_level;
    int gtfs_version;
} mtw_city_row;

/* The city row of slug: 1 found, 0 no such city, -1 error (err). */
int mtw_city_load(PGconn *conn, const char *slug, mtw_city_row *out,
                  char *err, size_t errlen);

/* The city's gtfs_version now, or -1 with err. */
int mtw_city_gtfs_version(PGconn *conn, int city_id, char *err,
                          size_t errlen);

/*
 * Loads the raw rows needed for service_date (0 = the city's calendar only,
 * for choosing a date) into a new timetable.  NULL with err on failure.
 */
mtw_timetable *mtw_timetable_load(PGconn *conn, int city_id,
                                  int service_date, char *err,
                                  size_t errlen);

/*
 * The service date to run: MTW_SERVICE_DATE's value (NULL: today in the
 * city's zone; "auto": today mapped into the feed's range; YYYY-MM-DD).
 */
int mtw_pick_service_date(PGconn *conn, const mtw_city_row *city,
                          const char *setting, int64_t now, int *date,
                          char *err, size_t errlen);

/*
 * For the commands that work on one city: its row (a city that does not
 * exist is an error saying to run gtfs-load) and its service date at now
 * (mtw_pick_service_date).  0, or -1 with err.
 */
int mtw_city_open(PGconn *conn, const char *slug, const char *setting,
                  int64_t now, mtw_city_row *city, int *date, char *err,
                  size_t errlen);

/* Loads and builds the schedule of service_date placed on run_date (0:
 * the service date itself, see mtw_schedule_build).  NULL with err. */
mtw_schedule *mtw_schedule_load(PGconn *conn, const mtw_city_row *city,
                                int service_date, int run_date, char *err,
                                size_t errlen);

/*
 * The shapes the city's trips follow, per route, simplified to
 * MTW_SHAPE_TOLERANCE_M, appended to set (initialised by the caller).
 * 0, or -1 with err (set then holds what was read).
 */
int mtw_shapes_load(PGconn *conn, int city_id, mtw_shape_set *set,
                    char *err, size_t errlen);

/* 30 days of daily route performance, for the route list and detail. */
typedef struct {
    mtw_arena *arena;
    mtw_route_history *rows;    /* sorted by route_id (strcmp) */
    size_t n;
    double system_median;       /* of all route-days; 75 when none */
    double day_change;          /* the last day's on-time % against the day
                                 * before, over routes with both: mean of
                                 * the differences; NaN when none */
} mtw_history;

/*
 * Reads route_performance_daily and arrival_log for [service_date - 30,
 * service_date) (reference-algorithms.md §3.5 window): the daily values,
 * the schedule realism, the weekday x time-of-day heatmap and the stops'
 * reliability, on time meaning within w.  NULL with err.
 */
mtw_history *mtw_history_load(PGconn *conn, int city_id, int service_date,
                              const mtw_otp_window *w, char *err,
                              size_t errlen);
void mtw_history_free(mtw_history *h);

#endif
