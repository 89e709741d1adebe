/*
 * day.c - a service day's aggregate of arrival_log, per route (day.h).
 */
#include "score/day.h"
#include "util/arena.h"
#include "util/grow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;

    return (x > y) - (x < y);
}

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
    qsort(delays, n, sizeof(*delays), cmp_int);
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

/* one row of the open route, for its trip runs */
typedef struct {
    const char *trip_id;        /* in the day's arena */
    int32_t start;
    int has_sched;
    int64_t sched, arr;
} day_visit;

struct mtw_day {
    mtw_otp_window w;
    mtw_day_route *routes;
    size_t nroutes, cap_routes;
    int open;                   /* routes[nroutes - 1] takes rows */

    /* the open route's rows */
    int *delays;
    size_t ndelays, cap_delays;
    day_visit *visits;
    size_t nvisits, cap_visits;
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
    free(d->visits);
    free(d->prev_stop);
    mtw_arena_free(&d->arena);
    free(d);
}

static int cmp_visit(const void *a, const void *b)
{
    const day_visit *x = a, *y = b;
    int c = strcmp(x->trip_id, y->trip_id);

    if (c != 0) {
        return c;
    }
    return (x->start > y->start) - (x->start < y->start);
}

/* the open route's trip runs and their realism, from its visits sorted */
static void close_runs(mtw_day *d, mtw_day_route *r)
{
    size_t i = 0, j, timed;
    int64_t smin, smax, amin, amax;
    long ok = 0;
    double sum = 0;

    qsort(d->visits, d->nvisits, sizeof(*d->visits), cmp_visit);
    while (i < d->nvisits) {
        timed = 0;
        smin = amin = INT64_MAX;
        smax = amax = INT64_MIN;
        for (j = i; j < d->nvisits && cmp_visit(&d->visits[i],
                                                 &d->visits[j]) == 0; j++)
        {
            const day_visit *v = &d->visits[j];

            if (!v->has_sched) {
                continue;
            }
            timed++;
            smin = v->sched < smin ? v->sched : smin;
            smax = v->sched > smax ? v->sched : smax;
            amin = v->arr < amin ? v->arr : amin;
            amax = v->arr > amax ? v->arr : amax;
        }
        r->trip_runs++;
        if (timed >= 3 && smax > smin) {
            ok++;
            sum += (double) (amax - amin) / (double) (smax - smin);
        }
        i = j;
    }
    r->has_realism = ok >= MTW_DAY_REALISM_MIN_RUNS;
    r->realism = r->has_realism ? round(sum / (double) ok * 1000.0) / 1000.0
                                : 0;
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
    d->nvisits = 0;
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
    day_visit *v;

    if (!d->open || strcmp(d->routes[d->nroutes - 1].route_id,
                           row->route_id) != 0)
    {
        close_route(d);
        if (open_route(d, row->route_id) != 0) {
            return -1;
        }
    }
    if (add_pair(d, row) != 0
        || mtw_grow((void **) &d->visits, &d->cap_visits, d->nvisits + 1,
                    sizeof(*d->visits)) != 0)
    {
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
    v = &d->visits[d->nvisits];
    v->trip_id = mtw_arena_strdup(&d->arena, row->trip_id);
    if (v->trip_id == NULL) {
        return -1;
    }
    v->start = row->trip_start;
    v->has_sched = row->has_sched;
    v->sched = row->scheduled_at;
    v->arr = row->arrived_at;
    d->nvisits++;
    d->routes[d->nroutes - 1].arrivals++;
    return 0;
}

const mtw_day_route *mtw_day_finish(mtw_day *d, size_t *n)
{
    close_route(d);
    *n = d->nroutes;
    return d->routes;
}
