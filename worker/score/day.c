/*
 * day.c - a service day's aggregate of arrival_log, per route (day.h).
 */
#include "score/day.h"
#include "score/idmap.h"
#include "util/arena.h"
#include "util/grow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double pct2(size_t k, size_t n)
{
    return round(10000.0 * (double) k / (double) n) / 100.0;
}

int mtw_day_perf_of(long n, double sum, long early, long late, int median,
                    mtw_day_perf *out)
{
    memset(out, 0, sizeof(*out));
    if (n <= 0) {
        return -1;
    }
    out->n = (int) n;
    out->avg_delay = (int) lround(sum / (double) n);
    out->median_delay = median;
    out->early_pct = pct2((size_t) early, (size_t) n);
    out->late_pct = pct2((size_t) late, (size_t) n);
    out->on_time_pct = pct2((size_t) (n - early - late), (size_t) n);
    return 0;
}

int mtw_day_aggregate(int *delays, size_t n, const mtw_otp_window *w,
                      mtw_day_perf *out)
{
    size_t i, early = 0, late = 0;
    double sum = 0;
    int median;

    memset(out, 0, sizeof(*out));
    if (n == 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        sum += delays[i];
        if (delays[i] < -w->early_sec) {
            early++;
        } else if (delays[i] > w->late_sec) {
            late++;
        }
    }
    mtw_median_int(delays, n, &median);
    return mtw_day_perf_of((long) n, sum, (long) early, (long) late, median,
                           out);
}

void mtw_day_regularity_sums(const mtw_headway_sums *x,
                             mtw_day_regularity *out)
{
    double var;

    out->n = (int) x->n;
    out->cv = NAN;
    out->los = MTW_LOS_F;
    out->excess_wait = NAN;
    out->gaps = (int) x->gaps;
    if (x->n <= 0 || x->h <= 0 || x->s <= 0) {
        return;
    }
    /* mean waits: sum(h^2) / (2 sum(h)), observed against scheduled */
    out->excess_wait = x->h2 / (2 * x->h) - x->s2 / (2 * x->s);
    if (x->n < 2) {
        return;
    }
    /* TCQSM c_vh: sample sd of the deviations over the mean scheduled */
    var = (x->d2 - x->d * x->d / (double) x->n) / (double) (x->n - 1);
    out->cv = sqrt(var > 0 ? var : 0) / (x->s / (double) x->n);
    out->los = mtw_los_from_cv(out->cv);
}

void mtw_day_regularity_of(const int *h, const int *s, size_t n,
                           mtw_day_regularity *out)
{
    mtw_headway_sums x;
    size_t i;

    memset(&x, 0, sizeof(x));
    for (i = 0; i < n; i++) {
        mtw_headway_sums_add(&x, h[i], s[i]);
    }
    mtw_day_regularity_sums(&x, out);
}

void mtw_headway_sums_add(mtw_headway_sums *x, int h, int s)
{
    if (h <= 0 || s <= 0) {
        return;
    }
    x->n++;
    x->h += h;
    x->h2 += (double) h * h;
    x->s += s;
    x->s2 += (double) s * s;
    x->d += h - s;
    x->d2 += (double) (h - s) * (h - s);
    if (h > (s * 3 / 2 < s + 180 ? s * 3 / 2 : s + 180)) {
        x->gaps++;
    }
}

/* ---- streaming the day's rows ----------------------------------------- */

/* one trip run of the open route: its observed and scheduled span */
typedef struct {
    const char *trip_id;        /* in the day's arena */
    uint32_t next;              /* the next run of the same trip id, or
                                 * MTW_IDMAP_NONE */
    int32_t start;
    long timed;                 /* rows with a scheduled time */
    int64_t smin, smax, amin, amax;
} day_run;

struct mtw_day {
    mtw_otp_window w;
    mtw_day_route *routes;
    size_t nroutes, cap_routes;
    int open;                   /* routes[nroutes - 1] takes rows */

    /* the open route's rows */
    int *delays;
    size_t ndelays, cap_delays;
    day_run *runs;
    size_t nruns, cap_runs;
    mtw_idmap runs_by_trip;     /* trip id -> its first run */
    mtw_headway_sums pairs;
    mtw_arena arena;            /* the open route's trip ids */

    /* the previous row of the open route: the other end of a pair */
    int has_prev;
    char *prev_stop;
    size_t cap_prev_stop;
    int prev_direction, prev_has_sched;
    int64_t prev_sched, prev_arr;
};

mtw_day *mtw_day_create(const mtw_otp_window *w)
{
    mtw_day *d = calloc(1, sizeof(*d));

    if (d == NULL) {
        return NULL;
    }
    d->w = *w;
    mtw_arena_init(&d->arena, 0, 0);
    return d;
}

void mtw_day_free(mtw_day *d)
{
    size_t i;

    if (d == NULL) {
        return;
    }
    for (i = 0; i < d->nroutes; i++) {
        free(d->routes[i].route_id);
    }
    free(d->routes);
    free(d->delays);
    free(d->runs);
    mtw_idmap_clear(&d->runs_by_trip);
    free(d->prev_stop);
    mtw_arena_free(&d->arena);
    free(d);
}

/* the open route's trip runs and their realism */
static void close_runs(mtw_day *d, mtw_day_route *r)
{
    size_t i;
    long ok = 0;
    double sum = 0;

    for (i = 0; i < d->nruns; i++) {
        const day_run *u = &d->runs[i];

        if (u->timed >= 3 && u->smax > u->smin) {
            ok++;
            sum += (double) (u->amax - u->amin)
                   / (double) (u->smax - u->smin);
        }
    }
    r->trip_runs = (long) d->nruns;
    r->has_realism = ok >= MTW_DAY_REALISM_MIN_RUNS;
    r->realism = r->has_realism ? round(sum / (double) ok * 1000.0) / 1000.0
                                : 0;
}

/* the open route's run (trip_id, start), added when new; NULL out of
 * memory.  Found by the trip id's hash, not by sorting the route's rows:
 * a large city's day sorted its million rows by trip id again
 * (bench/aggregate.sh).  A trip id runs once a day but for frequency
 * templates: its runs are chained from the first. */
static day_run *find_run(mtw_day *d, const char *trip_id, int32_t start)
{
    uint32_t first = mtw_idmap_get(&d->runs_by_trip, trip_id), i;
    day_run *u;

    for (i = first; i != MTW_IDMAP_NONE; i = d->runs[i].next) {
        if (d->runs[i].start == start) {
            return &d->runs[i];
        }
    }
    if (d->nruns >= MTW_IDMAP_NONE
        || mtw_grow((void **) &d->runs, &d->cap_runs, d->nruns + 1,
                    sizeof(*d->runs)) != 0)
    {
        return NULL;
    }
    u = &d->runs[d->nruns];
    if (first == MTW_IDMAP_NONE) {
        u->trip_id = mtw_arena_strdup(&d->arena, trip_id);
        if (u->trip_id == NULL
            || mtw_idmap_put(&d->runs_by_trip, u->trip_id,
                             (uint32_t) d->nruns) != 0)
        {
            return NULL;
        }
        u->next = MTW_IDMAP_NONE;
    } else {
        u->trip_id = d->runs[first].trip_id;
        u->next = d->runs[first].next;
        d->runs[first].next = (uint32_t) d->nruns;
    }
    u->start = start;
    u->timed = 0;
    u->smin = u->amin = INT64_MAX;
    u->smax = u->amax = INT64_MIN;
    d->nruns++;
    return u;
}

static void close_route(mtw_day *d)
{
    mtw_day_route *r;

    if (!d->open) {
        return;
    }
    r = &d->routes[d->nroutes - 1];
    close_runs(d, r);
    if (mtw_day_aggregate(d->delays, d->ndelays, &d->w, &r->perf) != 0) {
        memset(&r->perf, 0, sizeof(r->perf));
    }
    mtw_day_regularity_sums(&d->pairs, &r->reg);
    d->open = 0;
    d->ndelays = 0;
    d->nruns = 0;
    mtw_idmap_clear(&d->runs_by_trip);      /* its keys are in the arena */
    memset(&d->pairs, 0, sizeof(d->pairs));
    d->has_prev = 0;
    mtw_arena_reset(&d->arena);
}

static int open_route(mtw_day *d, const char *route_id)
{
    mtw_day_route *r;

    if (mtw_grow((void **) &d->routes, &d->cap_routes, d->nroutes + 1,
                 sizeof(*d->routes)) != 0)
    {
        return -1;
    }
    r = &d->routes[d->nroutes];
    memset(r, 0, sizeof(*r));
    r->route_id = strdup(route_id);
    if (r->route_id == NULL) {
        return -1;
    }
    d->nroutes++;
    d->open = 1;
    return 0;
}

/* the pair this row makes with the previous one at the same stop */
static int add_pair(mtw_day *d, const mtw_day_row *row)
{
    size_t len;

    if (d->has_prev && d->prev_direction == row->direction
        && strcmp(d->prev_stop, row->stop_id) == 0)
    {
        if (d->prev_has_sched && row->has_sched) {
            mtw_headway_sums_add(&d->pairs,
                                 (int) (row->arrived_at - d->prev_arr),
                                 (int) (row->scheduled_at - d->prev_sched));
        }
    } else {
        len = strlen(row->stop_id) + 1;
        if (mtw_grow((void **) &d->prev_stop, &d->cap_prev_stop, len, 1)
            != 0)
        {
            return -1;
        }
        memcpy(d->prev_stop, row->stop_id, len);
        d->prev_direction = row->direction;
        d->has_prev = 1;
    }
    d->prev_has_sched = row->has_sched;
    d->prev_sched = row->scheduled_at;
    d->prev_arr = row->arrived_at;
    return 0;
}

int mtw_day_add(mtw_day *d, const mtw_day_row *row)
{
    day_run *u;

    if (!d->open || strcmp(d->routes[d->nroutes - 1].route_id,
                           row->route_id) != 0)
    {
        close_route(d);
        if (open_route(d, row->route_id) != 0) {
            return -1;
        }
    }
    if (add_pair(d, row) != 0) {
        return -1;
    }
    if (row->has_delay) {
        if (mtw_grow((void **) &d->delays, &d->cap_delays, d->ndelays + 1,
                     sizeof(*d->delays)) != 0)
        {
            return -1;
        }
        d->delays[d->ndelays++] = row->delay;
    }
    u = find_run(d, row->trip_id, row->trip_start);
    if (u == NULL) {
        return -1;
    }
    if (row->has_sched) {
        u->timed++;
        u->smin = row->scheduled_at < u->smin ? row->scheduled_at : u->smin;
        u->smax = row->scheduled_at > u->smax ? row->scheduled_at : u->smax;
        u->amin = row->arrived_at < u->amin ? row->arrived_at : u->amin;
        u->amax = row->arrived_at > u->amax ? row->arrived_at : u->amax;
    }
    d->routes[d->nroutes - 1].arrivals++;
    return 0;
}

const mtw_day_route *mtw_day_finish(mtw_day *d, size_t *n)
{
    close_route(d);
    *n = d->nroutes;
    return d->routes;
}
