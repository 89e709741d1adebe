/*
 * day.h - a service day's aggregate of one city's arrival_log: per route,
 * the numbers of route_performance_daily (worker/sql/0002_history.sql),
 * as pure logic.  store/history_pg.c streams the day's rows in (route,
 * direction, stop, scheduled time) order into an mtw_day; the rules are
 * docs/scoring.md "History".
 *
 * - Delays: on-time, early and late shares in the on-time window, mean and
 *   median delay.
 * - Headway regularity: each two consecutive trip runs at a stop (in
 *   scheduled order) give a pair, the observed and the scheduled gap
 *   between them; pairs with both gaps positive count.  TCQSM c_vh, its
 *   LOS, the excess wait and the gaps (observed > min(1.5 x, + 180 s)).
 * - Schedule realism (reference §7.4, from observed arrivals instead of
 *   predictions, per trip run instead of per trip id): over the trip runs
 *   with 3+ timed stops observed and a scheduled span, the mean of the
 *   observed span over the scheduled span between the first and the last
 *   of them; none under 5 such runs.
 *
 * One pass, no sort of the day's rows (the database hands them over in
 * an index's order, from the index alone): a large city's day of a
 * million arrivals is one read (bench/aggregate.sh).  A route's trip runs
 * are found by hash, its median delay by selection.
 */
#ifndef MTW_SCORE_DAY_H
#define MTW_SCORE_DAY_H

#include "score/metrics.h"

#include <stddef.h>
#include <stdint.h>

/* One route's service day, from its arrivals' delays. */
typedef struct {
    int n;                      /* arrivals with a delay */
    int avg_delay;              /* mean, rounded half away from zero */
    int median_delay;           /* mtw_median_int */
    double on_time_pct, early_pct, late_pct;    /* 2 decimals, sum 100 +- */
} mtw_day_perf;

/*
 * Aggregates n delays (reordered in place) with the on-time window w: early
 * below -early_sec, late above late_sec.  Returns 0, or -1 when n == 0.
 */
int mtw_day_aggregate(int *delays, size_t n, const mtw_otp_window *w,
                      mtw_day_perf *out);

/* The same from counts (as SQL aggregates them): n delays, their sum, how
 * many early and late, and their median (mtw_median_int's).  0 or -1. */
int mtw_day_perf_of(long n, double sum, long early, long late, int median,
                    mtw_day_perf *out);

/* One route's service day, from its headways: each a pair of the observed
 * and the scheduled gap between the same two trip runs at one stop. */
typedef struct {
    int n;                      /* headway pairs */
    double cv;                  /* TCQSM c_vh: sd(observed - scheduled) /
                                 * mean scheduled; NaN under 2 pairs */
    mtw_los los;                /* from cv (when cv is a number) */
    double excess_wait;         /* mean wait observed - scheduled (s);
                                 * NaN without pairs */
    int gaps;                   /* observed > min(1.5 x, + 180 s) sched. */
} mtw_day_regularity;

/* h[i], s[i] > 0 (others skipped).  Fills out; never fails. */
void mtw_day_regularity_of(const int *h, const int *s, size_t n,
                           mtw_day_regularity *out);

/* The same from the sums over the pairs (as SQL aggregates them): n pairs,
 * sums of h, h^2, s, s^2, d = h - s, d^2, and the gaps counted. */
typedef struct {
    long n, gaps;
    double h, h2, s, s2, d, d2;
} mtw_headway_sums;

void mtw_day_regularity_sums(const mtw_headway_sums *x,
                             mtw_day_regularity *out);

/* realism needs this many trip runs with a measurable span */
#define MTW_DAY_REALISM_MIN_RUNS 5

/* One arrival_log row of the day. */
typedef struct {
    const char *route_id, *stop_id, *trip_id;   /* copied when kept */
    int direction;              /* 0, 1, -1 NULL */
    int32_t trip_start;
    int has_sched;
    int64_t scheduled_at;       /* epoch */
    int64_t arrived_at;         /* epoch */
    int has_delay;
    int delay;
} mtw_day_row;

/* One route's day. */
typedef struct {
    char *route_id;
    long arrivals;              /* rows */
    long trip_runs;             /* distinct (trip_id, trip_start) */
    int has_realism;
    double realism;             /* rounded to 3 decimals */
    mtw_day_perf perf;          /* perf.n == 0: no delays */
    mtw_day_regularity reg;
} mtw_day_route;

typedef struct mtw_day mtw_day;

/* An empty day measured with on-time window w (copied); NULL out of
 * memory. */
mtw_day *mtw_day_create(const mtw_otp_window *w);
void mtw_day_free(mtw_day *d);

/*
 * Adds one row.  Rows come grouped by route, and within a route ordered
 * by direction, stop and scheduled time (rows without one last): a row of
 * a new route closes the previous route.  A route seen again after
 * another is counted apart (a caller that breaks the order gets split
 * routes, never wrong pairs across routes).  0, or -1 out of memory.
 */
int mtw_day_add(mtw_day *d, const mtw_day_row *r);

/* Closes the last route and returns the routes, in the order their rows
 * came (owned by d; *n of them). */
const mtw_day_route *mtw_day_finish(mtw_day *d, size_t *n);

/* Adds one headway pair (observed h, scheduled s; skipped unless both are
 * positive) to x. */
void mtw_headway_sums_add(mtw_headway_sums *x, int h, int s);

#endif
