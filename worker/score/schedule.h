/*
 * schedule.h - the compact timetable of one service day, with indexes.
 *
 * Built from the raw timetable (timetable.h) for service date D: every trip
 * running on D, plus the trips of D-1 still running after midnight (times
 * past 24:00), plus one instance per departure of frequency-based trips
 * (frequencies.txt).  Trips with the same stops and running times (most
 * trips of a route, every instance of a frequency trip) share one stored
 * stop-time pattern and differ by a shift.  All lookups the tick needs are O(1) maps
 * or binary searches, built once per day (the reference re-queried the
 * database per vehicle and per prediction, reference-algorithms.md §11).
 *
 * Stop times are seconds after the trip instance's service-day base; the
 * epoch of pattern row k of trip t is t->base + t->shift + row->arr.
 * Rows without times (non-timepoints) get times interpolated by distance;
 * their timepoint flag stays 0.
 */
#ifndef MTW_SCORE_SCHEDULE_H
#define MTW_SCORE_SCHEDULE_H

#include "util/arena.h"
#include "util/sort.h"
#include "score/idmap.h"
#include "score/timetable.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id, *short_name, *long_name, *color, *text_color;
    int type;
} mtw_route;

typedef struct {
    const char *id, *name;
    double lat, lon;
} mtw_stop;

typedef struct {
    uint32_t stop;          /* index in schedule->stops */
    int32_t seq;
    int32_t arr, dep;       /* seconds after base, before the trip's shift */
    float dist;             /* metres from the first stop along the stops */
    uint8_t timepoint;      /* 1 when the feed gave a time for this row */
} mtw_stop_time;

typedef struct {
    const char *id, *headsign, *shape_id;
    uint32_t route;         /* index in schedule->routes */
    int direction;          /* 0, 1, -1 unknown */
    uint32_t st_first, st_count;
    int service_date;       /* YYYYMMDD of the day it runs (run date) */
    int64_t base;           /* epoch of that day's noon - 12 h */
    int32_t shift;          /* added to the pattern's times */
    int32_t start, end;     /* first departure, last arrival (after shift) */
    uint8_t freq;           /* an instance of a frequency-based trip */
    uint8_t exact;          /* frequencies.txt exact_times = 1 */
} mtw_trip;

/* The trips of one route and direction, sorted by start epoch. */
typedef struct {
    uint32_t route;
    int direction;
    uint32_t *trips;
    size_t ntrips;
    uint32_t rep;           /* representative trip: most stops */
} mtw_route_dir;

typedef struct {
    mtw_arena *arena;
    const char *tz;
    int service_date;               /* whose calendar chose the trips */
    int run_date;                   /* whose clock the times are on */
    int64_t base;                   /* base of run_date */
    mtw_route *routes;      size_t nroutes;
    mtw_stop *stops;        size_t nstops;
    mtw_trip *trips;        size_t ntrips;     /* sorted by id, then start */
    mtw_stop_time *st;      size_t nst;
    mtw_route_dir *rdirs;   size_t nrdirs;     /* sorted by route, dir */
    mtw_idmap route_by_id, stop_by_id, trip_by_id;
    uint32_t *rdir_of_trip;                    /* trip -> rdirs index */
    uint32_t *rdir_first;                      /* route -> first rdir or NONE */
} mtw_schedule;

/*
 * Builds service date D of tt in zone tz, placed on run_date's clock
 * (0 = D itself).  run_date differs from D when a feed from another period
 * is run "live" (MTW_SERVICE_DATE=auto or a fixed date, DESIGN.md §9): the
 * calendar of D chooses the trips, and their times are those of run_date,
 * so they line up with the realtime clock.  Returns NULL with a reason in
 * err when out of memory.  An empty day (no service) is a valid schedule.
 */
mtw_schedule *mtw_schedule_build(const mtw_timetable *tt, const char *tz,
                                 int service_date, int run_date, char *err,
                                 size_t errlen);
void mtw_schedule_free(mtw_schedule *s);

/* Epoch arrival / departure of pattern row k (0-based) of trip t. */
int64_t mtw_trip_arr(const mtw_trip *t, const mtw_stop_time *row);
int64_t mtw_trip_dep(const mtw_trip *t, const mtw_stop_time *row);

static inline const mtw_stop_time *mtw_trip_rows(const mtw_schedule *s,
                                                 const mtw_trip *t)
{
    return s->st + t->st_first;
}

/*
 * The instance of trip_id meant by a realtime descriptor: start_date
 * (YYYYMMDD, 0 = unknown) and start_time (seconds, -1 = unknown) pick it
 * exactly; otherwise the instance whose running window is nearest to now.
 * Returns the trip index or -1.
 */
long mtw_schedule_find_trip(const mtw_schedule *s, const char *trip_id,
                            int start_date, int start_time, int64_t now);

/* The same from a TripDescriptor's strings: start_date YYYYMMDD and
 * start_time HH:MM:SS, each NULL or unparsable when unknown. */
long mtw_schedule_find_run(const mtw_schedule *s, const char *trip_id,
                           const char *start_date, const char *start_time,
                           int64_t now);

/*
 * The pattern row of trip t a realtime stop event names: by sequence when
 * seq >= 0, else the first row at stop_id; searched from row "from" to
 * the end.  Returns the row (0-based) or -1.
 */
long mtw_trip_row_of(const mtw_schedule *s, const mtw_trip *t, int32_t seq,
                     const char *stop_id, uint32_t from);

/* Index of stop_id / route_id, or -1. */
long mtw_schedule_stop(const mtw_schedule *s, const char *stop_id);
long mtw_schedule_route(const mtw_schedule *s, const char *route_id);

/* The route-direction entry, or NULL. */
const mtw_route_dir *mtw_schedule_rdir(const mtw_schedule *s, long route,
                                       int direction);

/*
 * Scheduled headway at stop for a route-direction at hour "now" (TCQSM:
 * the scheduled headway in effect): the mean gap between consecutive
 * scheduled arrivals at the stop whose later arrival falls within the
 * local clock hour holding now (hours counted from the service day's
 * base); when that hour holds no gap, the gap that spans now.  Gaps are written to gaps (up to
 * max) for the scheduled-wait formula.  Returns the mean in seconds, or -1.
 */
int mtw_schedule_headway(const mtw_schedule *s, const mtw_route_dir *rd,
                         long stop, int64_t now, int *gaps, size_t max,
                         size_t *ngaps);

#endif
