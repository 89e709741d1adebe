/*
 * route.c - the route documents: routes, route:{id}, route:{id}:live,
 * route:{id}:activity, route:{id}:stops.
 */
#include "docs/internal.h"
#include "score/idmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* live summary of route r over its score groups */
typedef struct {
    int vehicles;
    mtw_grade grade;            /* vehicle-weighted over directions */
    double pct;
    int nh, n_bunched, n_gapped, otp_n, otp_ok;
    int min_h, max_h;
    const mtw_group_score *worst;       /* lowest grade, for issues */
} route_live;

static void route_groups(const mtw_tick *t, const mtw_doc_ctx *c,
                         uint32_t r, size_t *from, size_t *to)
{
    if (c->frags != NULL) {
        *from = c->frags->rg_first[r];
        *to = *from + c->frags->rg_count[r];
    } else {
        *from = 0;
        *to = t->ngroups;
    }
}

static void route_summary(const mtw_tick *t, const mtw_doc_ctx *c,
                          uint32_t r, route_live *o)
{
    mtw_grade grades[8];
    int veh[8];
    size_t i, n = 0, from, to;

    memset(o, 0, sizeof(*o));
    o->grade = MTW_GRADE_NA;
    o->min_h = -1;
    o->max_h = -1;
    route_groups(t, c, r, &from, &to);
    for (i = from; i < to; i++) {
        const mtw_group_score *g = &t->groups[i];
        int k;

        if (g->route != (long) r) {
            continue;
        }
        if (n < 8) {
            grades[n] = g->grade;
            veh[n] = g->vehicles;
            n++;
        }
        o->vehicles += g->vehicles;
        o->nh += g->nh;
        o->n_bunched += g->n_bunched;
        o->n_gapped += g->n_gapped;
        o->otp_n += g->otp_n;
        if (g->otp >= 0) {
            o->otp_ok += (int) lround(g->otp * g->otp_n);
        }
        for (k = 0; k < g->nh; k++) {
            if (o->min_h < 0 || g->headways[k] < o->min_h) {
                o->min_h = g->headways[k];
            }
            if (g->headways[k] > o->max_h) {
                o->max_h = g->headways[k];
            }
        }
        if (o->worst == NULL || (g->grade != MTW_GRADE_NA
            && (o->worst->grade == MTW_GRADE_NA || g->grade > o->worst->grade)))
        {
            o->worst = g;
        }
    }
    if (n > 0) {
        o->grade = mtw_system_grade(grades, veh, n, &o->pct);
    }
}

static int cmp_history_key(const void *key, const void *elem)
{
    return strcmp(key, ((const mtw_route_history *) elem)->route_id);
}

static const mtw_route_history *find_history(const mtw_doc_ctx *c,
                                             const char *route_id)
{
    if (c->history == NULL || c->nhistory == 0) {
        return NULL;
    }
    return bsearch(route_id, c->history, c->nhistory, sizeof(*c->history),
                   cmp_history_key);
}

/* numeric-aware order of route short names (reference §2.9 sort) */

static int cmp_route_name(const void *a, const void *b, void *ctx)
{
    const mtw_schedule *sched = ctx;
    const mtw_route *x = &sched->routes[*(const uint32_t *) a];
    const mtw_route *y = &sched->routes[*(const uint32_t *) b];
    const char *sx = x->short_name ? x->short_name : x->id;
    const char *sy = y->short_name ? y->short_name : y->id;
    char *ex, *ey;
    double nx = strtod(sx, &ex), ny = strtod(sy, &ey);

    if (*sx && *sy && *ex == '\0' && *ey == '\0' && nx != ny) {
        return nx < ny ? -1 : 1;
    }
    return strcmp(sx, sy);
}

static void jw_route_row(mtw_jbuf *w, const mtw_tick *t,
                         const mtw_doc_ctx *c, uint32_t r)
{
    const mtw_route *rt = &t->s->routes[r];
    const mtw_route_history *h = find_history(c, rt->id);
    route_live lv;
    double adjusted = 0;
    int days = h ? h->days : 0;
    mtw_grade grade;
    const char *conf;

    route_summary(t, c, r, &lv);
    if (days > 0) {
        adjusted = mtw_adjusted_performance(h->mean, days, c->system_median);
    }
    grade = mtw_grade_from_pct(adjusted, 1);
    conf = mtw_history_confidence(days);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "id", rt->id);
    mtw_jw_kstr(w, "short_name", rt->short_name);
    mtw_jw_kstr(w, "long_name", rt->long_name);
    mtw_jw_kstr(w, "color", rt->color && rt->color[0] ? rt->color : NULL);
    mtw_jw_kstr(w, "text_color", rt->text_color && rt->text_color[0]
                                 ? rt->text_color : NULL);
    if (grade == MTW_GRADE_NA && lv.grade != MTW_GRADE_NA) {
        /* no history yet: the live grade (reference §2.9 step 5) */
        mtw_jw_kstr(w, "grade", mtw_grade_str(lv.grade));
        mtw_jw_knum(w, "on_time_pct", mtw_grade_display_pct(lv.grade), 1);
        conf = "realtime";
    } else {
        mtw_jw_kstr(w, "grade", mtw_grade_str(grade));
        jw_opt_num(w, "on_time_pct", grade == MTW_GRADE_NA ? -1 : adjusted,
                   1);
    }
    mtw_jw_kint(w, "active_vehicles", lv.vehicles);
    mtw_jw_kint(w, "days_of_data", days);
    mtw_jw_kstr(w, "confidence_level", conf);
    mtw_jw_key(w, "live");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "grade", mtw_grade_str(lv.grade));
    mtw_jw_kint(w, "vehicles", lv.vehicles);
    mtw_jw_kint(w, "headways_observed", lv.nh);
    mtw_jw_kint(w, "bunched", lv.n_bunched);
    mtw_jw_kint(w, "gapped", lv.n_gapped);
    jw_opt_num(w, "on_time_pct", lv.otp_n > 0 ? 100.0 * lv.otp_ok / lv.otp_n
                                              : -1, 1);
    mtw_jw_obj_end(w);
    mtw_jw_obj_end(w);
}

static uint32_t *routes_by_name(const mtw_schedule *s)
{
    uint32_t *order = malloc((s->nroutes + 1) * sizeof(*order));
    size_t i;

    if (order == NULL) {
        return NULL;
    }
    for (i = 0; i < s->nroutes; i++) {
        order[i] = (uint32_t) i;
    }
    mtw_sort_r(order, s->nroutes, sizeof(*order), cmp_route_name,
               (void *) s);
    return order;
}

void mtw_doc_routes(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    uint32_t *order = routes_by_name(t->s);
    size_t i;

    mtw_jbuf_reset(w);
    if (order == NULL) {
        w->failed = 1;
        return;
    }
    mtw_jw_obj(w);
    mtw_jw_key(w, "routes");
    mtw_jw_arr(w);
    for (i = 0; i < t->s->nroutes; i++) {
        jw_route_row(w, t, c, order[i]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "timestamp", t->now);
    mtw_jw_kstr(w, "city", c->city);
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
    free(order);
}

/* the weekday x time-of-day grid; null cells where nothing was seen */
static void jw_heatmap(mtw_jbuf *w, const mtw_route_history *h)
{
    static const char *const days[] = {
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
    };
    static const char *const buckets[] = {
        "0-6", "6-9", "9-12", "12-15", "15-18", "18-21", "21-24"
    };
    int d, b;

    mtw_jw_key(w, "heatmap");
    mtw_jw_obj(w);
    mtw_jw_key(w, "days");
    mtw_jw_arr(w);
    for (d = 0; d < MTW_HEAT_DAYS; d++) {
        mtw_jw_str(w, days[d]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "buckets");
    mtw_jw_arr(w);
    for (b = 0; b < MTW_HEAT_BUCKETS; b++) {
        mtw_jw_str(w, buckets[b]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "cells");
    mtw_jw_arr(w);
    for (d = 0; d < MTW_HEAT_DAYS; d++) {
        for (b = 0; b < MTW_HEAT_BUCKETS; b++) {
            mtw_jw_arr(w);
            mtw_jw_int(w, d);
            mtw_jw_int(w, b);
            mtw_jw_num(w, h ? h->heat[d][b] : NAN, 1);  /* NaN -> null */
            mtw_jw_arr_end(w);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "samples", h ? h->heat_samples : 0);
    mtw_jw_obj_end(w);
}

/* the direction's headsign, as its representative trip shows it */
static const char *direction_label(const mtw_schedule *s, uint32_t r,
                                   int dir)
{
    size_t i;

    if (s->rdir_first[r] == MTW_IDMAP_NONE) {
        return NULL;
    }
    for (i = s->rdir_first[r]; i < s->nrdirs && s->rdirs[i].route == r;
         i++)
    {
        if ((s->rdirs[i].direction == 1) == (dir == 1)) {
            return s->trips[s->rdirs[i].rep].headsign;
        }
    }
    return NULL;
}

/* each direction's stops over the 30 days; null for a direction without */
static void jw_stop_reliability(mtw_jbuf *w, const mtw_schedule *s,
                                uint32_t r, const mtw_route_history *h)
{
    static const char *const dirs[] = { "0", "1" };
    int d, k;

    mtw_jw_key(w, "stop_reliability");
    mtw_jw_obj(w);
    for (d = 0; d < 2; d++) {
        if (h == NULL || h->nstops[d] == 0) {
            mtw_jw_knull(w, dirs[d]);
            continue;
        }
        mtw_jw_key(w, dirs[d]);
        mtw_jw_obj(w);
        mtw_jw_kstr(w, "label", direction_label(s, r, d));
        mtw_jw_key(w, "stops");
        mtw_jw_arr(w);
        for (k = 0; k < h->nstops[d]; k++) {
            const mtw_stop_reliability *x = &h->stops[d][k];

            mtw_jw_obj(w);
            mtw_jw_kstr(w, "stop_id", x->stop_id);
            mtw_jw_kstr(w, "name", x->name);
            mtw_jw_kint(w, "avg_delay_sec", x->avg_delay);
            mtw_jw_knum(w, "on_time_pct", x->on_time_pct, 1);
            mtw_jw_kint(w, "samples", x->samples);
            mtw_jw_kstr(w, "confidence", x->samples >= 50 ? "high"
                                         : x->samples >= 20 ? "medium"
                                                            : "low");
            mtw_jw_kint(w, "sequence", x->sequence);
            mtw_jw_obj_end(w);
        }
        mtw_jw_arr_end(w);
        mtw_jw_obj_end(w);
    }
    mtw_jw_obj_end(w);
}

/* the route among the routes with 5 days or more (reference-api §2.10);
 * null when it is not one of them */
static void jw_system_comparison(mtw_jbuf *w, const mtw_doc_ctx *c,
                                 const mtw_route_history *h)
{
    size_t i;
    int n = 0, better = 0, pct;

    mtw_jw_key(w, "systemComparison");
    if (h == NULL || h->days < 5) {
        mtw_jw_null(w);
        return;
    }
    for (i = 0; i < c->nhistory; i++) {
        if (c->history[i].days >= 5) {
            n++;
            better += c->history[i].mean > h->mean;
        }
    }
    pct = mtw_rank_percentile(better + 1, n);
    mtw_jw_obj(w);
    mtw_jw_kint(w, "routeRank", better + 1);
    mtw_jw_kint(w, "totalRoutes", n);
    mtw_jw_knum(w, "routePerformance", h->mean, 2);
    mtw_jw_knum(w, "systemMedianPerformance", c->system_median, 2);
    mtw_jw_kint(w, "percentile", pct);
    mtw_jw_knum(w, "performanceDelta", h->mean - c->system_median, 1);
    mtw_jw_kstr(w, "rankingDescription", mtw_rank_description(pct));
    mtw_jw_kbool(w, "underperforming", h->mean < c->system_median - 10);
    mtw_jw_obj_end(w);
}

/* Live Activity (reference-api.md §2.13, the intended contract): delay
 * from the status, +-180 s; health = on time / active */
void mtw_doc_route_activity(mtw_jbuf *w, const mtw_tick *t,
                            const mtw_doc_ctx *c, uint32_t r)
{
    const mtw_route *rt = &t->s->routes[r];
    size_t k, n = c->frags ? c->frags->rv_count[r] : t->nv;
    int active = 0, on = 0, late = 0, early = 0;

    for (k = 0; k < n; k++) {
        size_t i = c->frags ? c->frags->rv[c->frags->rv_first[r] + k] : k;
        const mtw_vstate *vs = &t->vs[i];

        if (vs->route != (long) r) {
            continue;
        }
        active++;
        if (!vs->has_delay) {
            continue;
        }
        if (vs->delay > 180) {
            late++;
        } else if (vs->delay < -180) {
            early++;
        } else {
            on++;
        }
    }
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", rt->id);
    mtw_jw_kstr(w, "short_name", rt->short_name);
    mtw_jw_kstr(w, "color", rt->color && rt->color[0] ? rt->color : NULL);
    mtw_jw_kint(w, "active_vehicles", active);
    mtw_jw_kint(w, "on_time_vehicles", on);
    mtw_jw_kint(w, "late_vehicles", late);
    mtw_jw_kint(w, "early_vehicles", early);
    mtw_jw_kint(w, "health_percent",
                active > 0 ? (int64_t) llround(100.0 * on / active) : 0);
    mtw_jw_kint(w, "timestamp", mtw_live_ts(t->l));
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
}

typedef struct {
    uint32_t stop;
    int32_t seq;
} stop_seq;

static int cmp_stop_seq_by_stop(const void *a, const void *b)
{
    const stop_seq *x = a, *y = b;

    if (x->stop != y->stop) {
        return x->stop < y->stop ? -1 : 1;
    }
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_stop_seq_by_seq(const void *a, const void *b)
{
    const stop_seq *x = a, *y = b;

    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return (x->stop > y->stop) - (x->stop < y->stop);
}

/* reference §2.11 with a route filter: distinct stops of the route's
 * direction-0 trips (or its only direction), by their lowest sequence */
void mtw_doc_route_stops(mtw_jbuf *w, const mtw_schedule *s, uint32_t r,
                         int64_t ts)
{
    const mtw_route_dir *rd = mtw_schedule_rdir(s, (long) r, 0);
    stop_seq *v = NULL;
    size_t i, k, n = 0, total = 0, u = 0;

    if (rd == NULL && s->rdir_first[r] != MTW_IDMAP_NONE) {
        rd = &s->rdirs[s->rdir_first[r]];
    }
    for (i = 0; rd != NULL && i < rd->ntrips; i++) {
        total += s->trips[rd->trips[i]].st_count;
    }
    if (total > 0) {
        v = malloc(total * sizeof(*v));
    }
    for (i = 0; v != NULL && i < rd->ntrips; i++) {
        const mtw_trip *tr = &s->trips[rd->trips[i]];

        for (k = 0; k < tr->st_count; k++) {
            v[n].stop = s->st[tr->st_first + k].stop;
            v[n].seq = s->st[tr->st_first + k].seq;
            n++;
        }
    }
    /* keep each stop's lowest sequence, then order by it */
    mtw_sort(v, n, sizeof(*v), cmp_stop_seq_by_stop);
    for (i = 0; i < n; i++) {
        if (u == 0 || v[u - 1].stop != v[i].stop) {
            v[u++] = v[i];
        }
    }
    mtw_sort(v, u, sizeof(*v), cmp_stop_seq_by_seq);
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "stops");
    mtw_jw_arr(w);
    for (i = 0; i < u; i++) {
        const mtw_stop *st = &s->stops[v[i].stop];

        mtw_jw_obj(w);
        mtw_jw_kstr(w, "id", st->id);
        mtw_jw_kstr(w, "name", st->name);
        mtw_jw_knum(w, "lat", st->lat, 6);
        mtw_jw_knum(w, "lon", st->lon, 6);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
    free(v);
}

void mtw_doc_route(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                   uint32_t r)
{
    const mtw_route *rt = &t->s->routes[r];
    const mtw_route_history *h = find_history(c, rt->id);
    size_t i;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "route");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "id", rt->id);
    mtw_jw_kstr(w, "short_name", rt->short_name);
    mtw_jw_kstr(w, "long_name", rt->long_name);
    mtw_jw_kstr(w, "color", rt->color && rt->color[0] ? rt->color : NULL);
    mtw_jw_obj_end(w);
    /* 30-day stats (reference §2.10); no sentinel 0/100 without data */
    mtw_jw_key(w, "stats");
    mtw_jw_obj(w);
    mtw_jw_kint(w, "totalDays", h ? h->days : 0);
    jw_opt_num(w, "avgPerformance", h && h->days ? h->mean : -1, 1);
    mtw_jw_kstr(w, "bestDay", h ? h->best_day : NULL);
    jw_opt_num(w, "bestPerformance", h && h->days ? h->best : -1, 1);
    mtw_jw_kstr(w, "worstDay", h ? h->worst_day : NULL);
    jw_opt_num(w, "worstPerformance", h && h->days ? h->worst : -1, 1);
    mtw_jw_kstr(w, "grade", mtw_grade_str(mtw_grade_from_pct(
                                 h && h->days ? h->mean : 0.0, 1)));
    /* schedule realism: the mean of the days' ratios, rounded for show,
     * graded unrounded; the days behind it alongside */
    jw_opt_num(w, "scheduleRealismRatio",
               h && h->realism_days ? h->realism : -1, 2);
    mtw_jw_kstr(w, "scheduleRealismGrade", mtw_realism_grade_str(
                    h && h->realism_days ? h->realism : NAN));
    mtw_jw_kint(w, "realismDays", h ? h->realism_days : 0);
    jw_system_comparison(w, c, h);
    /* service delivered: trip runs seen running against the timetable's,
     * over the days that have both; the runs the feed cancelled (and never
     * ran) and the stops it said would be skipped */
    mtw_jw_key(w, "serviceDelivered");
    if (h == NULL || h->trips_scheduled <= 0) {
        mtw_jw_null(w);
    } else {
        mtw_jw_obj(w);
        mtw_jw_kint(w, "observedTrips", h->trips_observed);
        mtw_jw_kint(w, "scheduledTrips", h->trips_scheduled);
        mtw_jw_knum(w, "pct", 100.0 * (double) h->trips_observed
                                / (double) h->trips_scheduled, 1);
        mtw_jw_kint(w, "canceledTrips", h->trips_canceled);
        mtw_jw_knum(w, "canceledPct", 100.0 * (double) h->trips_canceled
                                      / (double) h->trips_scheduled, 1);
        mtw_jw_kint(w, "skippedStops", h->stops_skipped);
        mtw_jw_obj_end(w);
    }
    mtw_jw_obj_end(w);
    /* reference-api.md §5.3 chart data: the daily trend, the stops'
     * reliability, the on-time share by the day's weather and the heatmap
     * from the 30 days of history (weather is empty until the weather
     * job has linked observations to the daily rows) */
    mtw_jw_key(w, "trend");
    mtw_jw_obj(w);
    mtw_jw_key(w, "dates");
    mtw_jw_arr(w);
    for (i = 0; h != NULL && i < (size_t) h->ntrend; i++) {
        mtw_jw_str(w, h->trend_dates[i]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "on_time_pct");
    mtw_jw_arr(w);
    for (i = 0; h != NULL && i < (size_t) h->ntrend; i++) {
        mtw_jw_num(w, h->trend_pct[i], 1);      /* NaN -> null */
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
    jw_stop_reliability(w, t->s, r, h);
    mtw_jw_key(w, "weather");
    mtw_jw_arr(w);
    for (i = 0; h != NULL && i < (size_t) h->nweather; i++) {
        mtw_jw_obj(w);
        mtw_jw_kstr(w, "condition", h->weather[i].condition);
        mtw_jw_knum(w, "avg_on_time_pct", h->weather[i].avg_pct, 1);
        mtw_jw_kint(w, "days", h->weather[i].days);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    jw_heatmap(w, h);
    mtw_jw_obj_end(w);
}

void mtw_doc_route_now(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                       uint32_t r)
{
    route_live lv;
    size_t i, to;

    route_summary(t, c, r, &lv);
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "live");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "grade", mtw_grade_str(lv.grade));
    mtw_jw_kint(w, "vehicles", lv.vehicles);
    mtw_jw_key(w, "directions");
    mtw_jw_arr(w);
    route_groups(t, c, r, &i, &to);
    for (; i < to; i++) {
        if (t->groups[i].route == (long) r) {
            mtw_doc_jw_score_item(w, t, &t->groups[i]);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
    mtw_jw_kint(w, "timestamp", t->now);
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
}

/* the route's representative trip: most stops over its directions */
static long route_rep(const mtw_schedule *s, uint32_t r)
{
    long rep = -1;
    size_t i;

    if (s->rdir_first[r] == MTW_IDMAP_NONE) {
        return -1;
    }
    for (i = s->rdir_first[r]; i < s->nrdirs && s->rdirs[i].route == r; i++) {
        const mtw_trip *t = &s->trips[s->rdirs[i].rep];

        if (rep < 0 || t->st_count > s->trips[rep].st_count) {
            rep = (long) s->rdirs[i].rep;
        }
    }
    return rep;
}

void mtw_doc_route_line(mtw_jbuf *w, const mtw_schedule *s, uint32_t r)
{
    long rep = route_rep(s, r);
    size_t k;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "stops");
    mtw_jw_arr(w);
    for (k = 0; rep >= 0 && k < s->trips[rep].st_count; k++) {
        const mtw_stop_time *row = &s->st[s->trips[rep].st_first + k];
        const mtw_stop *st = &s->stops[row->stop];

        mtw_jw_obj(w);
        mtw_jw_kstr(w, "id", st->id);
        mtw_jw_kstr(w, "name", st->name);
        mtw_jw_kbool(w, "is_timepoint", row->timepoint);
        mtw_jw_kint(w, "sequence", row->seq);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

void mtw_doc_route_live(mtw_jbuf *w, const mtw_tick *t,
                        const mtw_doc_ctx *c, uint32_t r)
{
    const mtw_schedule *s = t->s;
    const mtw_route *rt = &s->routes[r];
    long rep = route_rep(s, r);
    const char *h0 = NULL, *h1 = NULL;
    char label[256];
    route_live lv;
    int timepoints = 0;
    size_t i, k;

    route_summary(t, c, r, &lv);
    if (s->rdir_first[r] != MTW_IDMAP_NONE) {
        for (i = s->rdir_first[r]; i < s->nrdirs && s->rdirs[i].route == r;
             i++)
        {
            const mtw_trip *tr = &s->trips[s->rdirs[i].rep];

            if (s->rdirs[i].direction == 1) {
                h1 = tr->headsign;
            } else if (h0 == NULL) {
                h0 = tr->headsign;
            }
        }
    }
    if (h0 && h1) {
        snprintf(label, sizeof(label), "%s \xe2\x87\x94 %s", h0, h1);
    } else {
        snprintf(label, sizeof(label), "%s", rt->long_name ? rt->long_name
                                                           : rt->id);
    }
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", rt->id);
    mtw_jw_kint(w, "updated_at", mtw_live_ts(t->l));
    jw_opt_int(w, "age_sec", mtw_live_age(t, c) >= 0, mtw_live_age(t, c));
    mtw_jw_kbool(w, "is_stale", mtw_live_stale(t, c));
    mtw_jw_kbool(w, "stale", mtw_live_stale(t, c));
    mtw_jw_kstr(w, "direction_label", label);
    /* the spread of observed headways (not of GPS report times, which is
     * what the reference's header showed, reference §2.6) */
    mtw_jw_key(w, "headway");
    mtw_jw_obj(w);
    jw_opt_int(w, "min_sec", lv.min_h >= 0, lv.min_h);
    jw_opt_int(w, "max_sec", lv.max_h >= 0, lv.max_h);
    mtw_jw_obj_end(w);
    if (rep >= 0) {
        const mtw_trip *tr = &s->trips[rep];

        for (k = 0; k < tr->st_count; k++) {
            timepoints += s->st[tr->st_first + k].timepoint;
        }
    }
    mtw_jw_key(w, "counts");
    mtw_jw_obj(w);
    mtw_jw_kint(w, "vehicles_online", lv.vehicles);
    mtw_jw_kint(w, "timepoints", timepoints);
    mtw_jw_kint(w, "total_stops", rep >= 0 ? s->trips[rep].st_count : 0);
    mtw_jw_obj_end(w);
    mtw_jw_key(w, "stops");
    mtw_jw_arr(w);
    if (rep >= 0) {
        const mtw_trip *tr = &s->trips[rep];

        for (k = 0; k < tr->st_count; k++) {
            const mtw_stop_time *row = &s->st[tr->st_first + k];
            uint32_t q;

            /* the stop's approaching buses; the stop itself is in
             * route:{id}:line, joined by the module */
            mtw_jw_arr(w);
            /* reference §5.4 window: -30 s < eta < 300 s */
            for (q = 0; q < t->stop_count[row->stop]; q++) {
                const mtw_prediction *p =
                    &t->preds[t->stop_first[row->stop] + q];
                int64_t eta = p->arrival_at - t->now;

                if (eta <= -30 || eta >= 300 || p->route_id == NULL
                    || strcmp(p->route_id, rt->id) != 0)
                {
                    continue;
                }
                mtw_jw_obj(w);
                mtw_jw_kstr(w, "vehicle_id", p->vehicle >= 0
                            ? t->l->vehicles[p->vehicle].id
                            : p->tu ? p->tu->vehicle_id : NULL);
                mtw_jw_kstr(w, "trip_id", p->trip_id);
                mtw_jw_kint(w, "arrival_at", p->arrival_at);
                mtw_jw_kstr(w, "confidence",
                            mtw_confidence_str(p->confidence));
                mtw_jw_obj_end(w);
            }
            mtw_jw_arr_end(w);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "vehicles");
    mtw_jw_arr(w);
    for (k = 0; k < (c->frags ? c->frags->rv_count[r] : t->nv); k++) {
        size_t i2 = c->frags ? c->frags->rv[c->frags->rv_first[r] + k] : k;
        const mtw_vstate *vs = &t->vs[i2];
        const mtw_vehicle *v = &t->l->vehicles[i2];
        char display[80];
        const char *d;

        i = i2;
        if (vs->route != (long) r) {
            continue;
        }
        /* "Bus " + the first run of digits of the id (reference §5.4) */
        d = v->id ? v->id + strcspn(v->id, "0123456789") : NULL;
        if (d != NULL && *d) {
            snprintf(display, sizeof(display), "Bus %.*s",
                     (int) strspn(d, "0123456789"), d);
        } else {
            snprintf(display, sizeof(display), "%s", v->id ? v->id : "");
        }
        mtw_jw_obj(w);
        mtw_jw_kstr(w, "vehicle_id", v->id);
        mtw_jw_kstr(w, "display_id", display);
        mtw_jw_kstr(w, "trip_id", v->trip_id);
        jw_dir(w, "direction", vs->direction);
        if (v->has_pos) {
            mtw_jw_knum(w, "lat", v->lat, 6);
            mtw_jw_knum(w, "lon", v->lon, 6);
        } else {
            mtw_jw_knull(w, "lat");
            mtw_jw_knull(w, "lon");
        }
        mtw_jw_knum(w, "bearing", v->bearing, 0);
        mtw_jw_knum(w, "speed_kmh", v->speed * 3.6, 0);
        mtw_jw_kint(w, "ts", v->ts);
        mtw_doc_jw_occupancy(w, v);
        mtw_doc_jw_status(w, t, c, (long) i);
        mtw_jw_key(w, "next_arrival");
        if (vs->next_pred >= 0) {
            const mtw_prediction *p = &t->preds[vs->next_pred];

            mtw_jw_obj(w);
            mtw_jw_kstr(w, "stop_id", s->stops[p->stop].id);
            mtw_jw_kstr(w, "stop_name", s->stops[p->stop].name);
            mtw_jw_kint(w, "arrival_at", p->arrival_at);
            mtw_jw_kstr(w, "confidence", mtw_confidence_str(p->confidence));
            mtw_jw_obj_end(w);
        } else {
            mtw_jw_null(w);
        }
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}
