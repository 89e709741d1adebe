/*
 * headway.c - observed and scheduled headways and the metrics of each
 * route and direction.
 *
 * Vehicles are grouped by (route id, direction).  For each group every
 * usable vehicle contributes a time at each stop of its trip: its
 * TripUpdate's predicted times at the stops ahead (tier "trip_updates",
 * reference-algorithms.md §2.3 tier A, PAST_ARRIVAL_GRACE 60 s; updates of
 * the route's next trips that have no vehicle yet take part too), else the
 * time it passes each stop of its own trip going by its position and the
 * timetable's running times (tier "progress"), else the same on the
 * route's representative trip for vehicles known only by position and
 * route (tier "positions").  The reference stop is the stop most vehicles
 * share (ties: earliest time for trip updates, nearest to now otherwise);
 * the headways are the gaps between consecutive vehicles there.  Unlike
 * the reference, one shared stop gives every consecutive pair's headway
 * (not just a median), and GPS report-time gaps are never taken for
 * headways (they measure the feed's polling, not the service).
 */
#include "score/tick.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAST_ARRIVAL_GRACE 60   /* reference §2.3 */

const char *mtw_hw_source_str(mtw_hw_source s)
{
    switch (s) {
    case MTW_HW_TRIP_UPDATES: return "trip_updates";
    case MTW_HW_PROGRESS:     return "progress";
    case MTW_HW_POSITIONS:    return "positions";
    default:                  return NULL;
    }
}

typedef struct {
    const char *stop_id;
    int64_t t;
    uint32_t vehicle;
    uint32_t order;             /* insertion order, for stable ties */
} hw_entry;

typedef struct {
    hw_entry *e;
    size_t n, cap;
} hw_entries;

static int hw_push(hw_entries *es, const char *stop_id, int64_t t,
                   uint32_t vehicle)
{
    if (es->n == es->cap) {
        size_t cap = es->cap ? es->cap * 2 : 256;
        hw_entry *p = realloc(es->e, cap * sizeof(*p));

        if (p == NULL) {
            return -1;
        }
        es->e = p;
        es->cap = cap;
    }
    es->e[es->n].stop_id = stop_id;
    es->e[es->n].t = t;
    es->e[es->n].vehicle = vehicle;
    es->e[es->n].order = (uint32_t) es->n;
    es->n++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const hw_entry *x = a, *y = b;
    int c = strcmp(x->stop_id, y->stop_id);

    if (c != 0) {
        return c;
    }
    if (x->t != y->t) {
        return x->t < y->t ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Picks the stop shared by most vehicles.  by_earliest: ties go to the
 * earliest first time (then first seen); otherwise to the stop whose
 * times are nearest to now on average.  Writes the sorted times there.
 */
static const char *hw_pick(hw_entries *es, int by_earliest, int64_t now,
                           int64_t *times, size_t *ntimes)
{
    size_t i, j, best_i = 0, best_j = 0, best_n = 0;
    double best_key = INFINITY;
    uint32_t best_order = UINT32_MAX;

    *ntimes = 0;
    if (es->n < 2) {
        return NULL;
    }
    mtw_sort(es->e, es->n, sizeof(*es->e), cmp_entry);
    for (i = 0; i < es->n; i = j) {
        size_t n = 0;
        double key = 0;
        uint32_t first_order = UINT32_MAX;

        for (j = i; j < es->n && strcmp(es->e[j].stop_id,
                                        es->e[i].stop_id) == 0; j++)
        {
            n++;
            key += fabs((double) (es->e[j].t - now));
            if (es->e[j].order < first_order) {
                first_order = es->e[j].order;
            }
        }
        if (n < 2) {
            continue;
        }
        key = by_earliest ? (double) es->e[i].t : key / (double) n;
        if (n > best_n || (n == best_n && (key < best_key
            || (key == best_key && first_order < best_order))))
        {
            best_n = n;
            best_key = key;
            best_order = first_order;
            best_i = i;
            best_j = j;
        }
    }
    if (best_n < 2) {
        return NULL;
    }
    for (i = best_i; i < best_j && *ntimes < MTW_MAX_HEADWAYS + 1; i++) {
        times[(*ntimes)++] = es->e[i].t;
    }
    return es->e[best_i].stop_id;
}

/* tier A: each vehicle's TripUpdate times at the stops still ahead, and
 * those of the route's next trips that have an update but no vehicle yet
 * (at a stop downstream, the next bus may be one that has not left) */
static int hw_collect_tu(const mtw_tick *t, const mtw_group_score *g,
                         hw_entries *es)
{
    const mtw_live *l = t->l;
    int i;

    for (i = 0; i < g->vehicles + g->nextra; i++) {
        uint32_t vi = i < g->vehicles ? g->members[i] : UINT32_MAX;
        const mtw_trip_update *tu = i < g->vehicles ? t->vs[vi].tu
                                    : g->extra_tus[i - g->vehicles];
        int64_t vts = vi != UINT32_MAX ? l->vehicles[vi].ts : 0;
        const mtw_stop_event *ev;
        int64_t ref = vts > t->now ? vts : t->now;
        uint32_t k, m;

        if (tu == NULL) {
            continue;
        }
        if (vi == UINT32_MAX && tu->vehicle_id != NULL) {
            int same = 0, m2;

            /* the next trip of a bus already counted (its block) is not
             * another bus */
            for (m2 = 0; m2 < g->vehicles && !same; m2++) {
                same = l->vehicles[g->members[m2]].id != NULL
                       && strcmp(l->vehicles[g->members[m2]].id,
                                 tu->vehicle_id) == 0;
            }
            if (same) {
                continue;
            }
        }
        ev = l->events + tu->ev_first;
        /* a trip not started yet: its origin is where the previous trip of
         * the other direction ends, not a stop the two buses share */
        for (k = vi == UINT32_MAX && tu->ev_count > 1; k < tu->ev_count;
             k++)
        {
            int64_t tm = ev[k].arr ? ev[k].arr : ev[k].dep;
            int seen = 0;

            if (tm == 0 || tm < ref - PAST_ARRIVAL_GRACE || ev[k].rel == 1
                || ev[k].stop_id == NULL)
            {
                continue;
            }
            /* loop trips visit a stop twice: its first visit only */
            for (m = 0; m < k && !seen; m++) {
                seen = ev[m].stop_id != NULL
                       && strcmp(ev[m].stop_id, ev[k].stop_id) == 0;
            }
            if (!seen && hw_push(es, ev[k].stop_id, tm, vi) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* tiers B and C: times at each stop of trip tr for a vehicle that was
 * at pattern time sched_at (the trip's own running times) at time ts */
static int hw_collect_trip(const mtw_schedule *s, const mtw_trip *tr,
                           double sched_at, int64_t ts, uint32_t vi,
                           hw_entries *es)
{
    const mtw_stop_time *p = s->st + tr->st_first;
    uint32_t k, m;

    for (k = 0; k < tr->st_count; k++) {
        int seen = 0;

        for (m = 0; m < k && !seen; m++) {
            seen = p[m].stop == p[k].stop;
        }
        if (!seen && hw_push(es, s->stops[p[k].stop].id,
                             ts + (int64_t) llround(p[k].arr - sched_at),
                             vi) != 0)
        {
            return -1;
        }
    }
    return 0;
}

static int hw_collect_progress(const mtw_tick *t, const mtw_group_score *g,
                               hw_entries *es)
{
    int i;

    for (i = 0; i < g->vehicles; i++) {
        uint32_t vi = g->members[i];
        const mtw_vstate *vs = &t->vs[vi];
        const mtw_trip *tr;

        if (!vs->has_progress) {
            continue;
        }
        tr = &t->s->trips[vs->trip];
        if (hw_collect_trip(t->s, tr, vs->sched_at,
                            t->l->vehicles[vi].ts ? t->l->vehicles[vi].ts
                                                  : t->now, vi, es) != 0)
        {
            return -1;
        }
    }
    return 0;
}

static const mtw_route_dir *hw_rdir(const mtw_schedule *s, long route,
                                    int direction)
{
    const mtw_route_dir *rd;

    if (route < 0) {
        return NULL;
    }
    rd = mtw_schedule_rdir(s, route, direction);
    if (rd == NULL && direction < 0) {
        rd = mtw_schedule_rdir(s, route, 0);
    }
    if (rd == NULL && s->rdir_first[route] != MTW_IDMAP_NONE) {
        rd = &s->rdirs[s->rdir_first[route]];
    }
    return rd;
}

static int hw_collect_positions(const mtw_tick *t, const mtw_group_score *g,
                                const mtw_score_params *p, hw_entries *es)
{
    const mtw_route_dir *rd = hw_rdir(t->s, g->route, g->direction);
    const mtw_trip *rep;
    int i;

    if (rd == NULL) {
        return 0;
    }
    rep = &t->s->trips[rd->rep];
    for (i = 0; i < g->vehicles; i++) {
        uint32_t vi = g->members[i];
        const mtw_vehicle *v = &t->l->vehicles[vi];
        mtw_vstate loc;
        int64_t ts = v->ts ? v->ts : t->now;

        if (!v->has_pos) {
            continue;
        }
        memset(&loc, 0, sizeof(loc));
        /* the time of day only breaks ties on loops: compare it to the
         * representative trip's own day */
        mtw_locate(t->s, rep, v->lat, v->lon, ts, -1, MTW_VS_UNKNOWN,
                   p->max_off_route_m, &loc);
        if (loc.has_progress
            && hw_collect_trip(t->s, rep, loc.sched_at, ts, vi,
                               es) != 0)
        {
            return -1;
        }
    }
    return 0;
}

static void hw_metrics(const mtw_tick *t, mtw_group_score *g,
                       const mtw_score_params *p)
{
    const mtw_route_dir *rd = hw_rdir(t->s, g->route, g->direction);
    int delays[256], tmp[MTW_MAX_HEADWAYS];
    size_t nd = 0, ngaps = 0;
    int i;

    /* scheduled headway at the stop where it was observed, else where the
     * first located vehicle is heading, else mid-route */
    if (rd != NULL) {
        long stop = g->ref_stop;

        if (stop < 0) {
            for (i = 0; i < g->vehicles && stop < 0; i++) {
                const mtw_vstate *vs = &t->vs[g->members[i]];

                if (vs->has_progress) {
                    const mtw_trip *tr = &t->s->trips[vs->trip];

                    stop = t->s->st[tr->st_first + vs->next_row].stop;
                }
            }
        }
        if (stop < 0) {
            const mtw_trip *rep = &t->s->trips[rd->rep];

            stop = t->s->st[rep->st_first + rep->st_count / 2].stop;
        }
        g->scheduled = mtw_schedule_headway(t->s, rd, stop, t->now,
                                            g->sched_gaps,
                                            MTW_MAX_SCHED_GAPS, &ngaps);
        if (g->scheduled < 0 && g->direction < 0) {
            const mtw_route_dir *other = mtw_schedule_rdir(t->s, g->route, 1);

            if (other != NULL) {
                g->scheduled = mtw_schedule_headway(t->s, other, stop,
                                                    t->now, g->sched_gaps,
                                                    MTW_MAX_SCHED_GAPS,
                                                    &ngaps);
            }
        }
        g->nsched = (int) ngaps;
    }

    memcpy(tmp, g->headways, sizeof(int) * (size_t) g->nh);
    g->observed = -1;
    if (g->nh > 0) {
        mtw_median_int(tmp, (size_t) g->nh, &g->observed);
    }
    g->has_cv = mtw_headway_cv(g->headways, (size_t) g->nh, g->scheduled,
                               &g->cv) == 0;
    if (g->has_cv) {
        g->los = mtw_los_from_cv(g->cv);
    }
    g->has_ewt = g->scheduled > 0
                 && mtw_excess_wait(g->headways, (size_t) g->nh,
                                    g->sched_gaps, (size_t) g->nsched,
                                    &g->ewt) == 0;
    g->bunched = mtw_bunched_share(g->headways, (size_t) g->nh,
                                   g->scheduled);
    g->gapped = mtw_gapped_share(g->headways, (size_t) g->nh, g->scheduled);
    g->n_bunched = g->bunched >= 0 ? (int) lround(g->bunched * g->nh) : 0;
    g->n_gapped = g->gapped >= 0 ? (int) lround(g->gapped * g->nh) : 0;

    for (i = 0; i < g->vehicles && nd < 256; i++) {
        const mtw_vstate *vs = &t->vs[g->members[i]];

        if (vs->has_delay) {
            delays[nd++] = vs->delay;
        }
    }
    g->otp_n = (int) nd;
    g->otp = mtw_on_time_share(delays, nd, &p->otp);
    g->regime = mtw_regime_for(g->scheduled);

    if (g->vehicles == 1 && t->vs[g->members[0]].has_delay) {
        g->has_delay = 1;
        g->delay = t->vs[g->members[0]].delay;
    }
    g->grade = mtw_grade_from_observed(g->observed, g->vehicles,
                                       g->has_delay, g->delay);
    g->confidence = mtw_confidence_of(g->observed, g->vehicles,
                                      g->has_delay);
}

/* numeric-aware id order, as the reference's PHP <=> on numeric strings */
static int cmp_ids(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);

    if (*a && *b && *ea == '\0' && *eb == '\0') {
        return (x > y) - (x < y);
    }
    return strcmp(a, b);
}

static int cmp_member(const void *a, const void *b, void *ctx)
{
    const mtw_tick *tick = ctx;
    const mtw_vstate *x = &tick->vs[*(const uint32_t *) a];
    const mtw_vstate *y = &tick->vs[*(const uint32_t *) b];
    int c = cmp_ids(x->route_id, y->route_id);

    if (c != 0) {
        return c;
    }
    if (x->direction != y->direction) {
        return x->direction < y->direction ? -1 : 1;
    }
    return *(const uint32_t *) a < *(const uint32_t *) b ? -1 : 1;
}

/* a trip update no vehicle refers to, with its route and direction */
typedef struct {
    const mtw_trip_update *tu;
    const char *route_id;
    int direction;
} hw_extra;

static int cmp_extra(const void *a, const void *b)
{
    const hw_extra *x = a, *y = b;
    int c = cmp_ids(x->route_id, y->route_id);

    if (c != 0) {
        return c;
    }
    return (x->direction > y->direction) - (x->direction < y->direction);
}

/* the updates of trips without a vehicle, sorted by route, direction */
static hw_extra *hw_extras(const mtw_tick *t, size_t *n)
{
    hw_extra *x;
    size_t i;

    *n = 0;
    x = mtw_arena_calloc(t->arena, (t->l->ntus + 1) * sizeof(*x));
    if (x == NULL) {
        return NULL;
    }
    for (i = 0; i < t->l->ntus; i++) {
        const mtw_trip_update *tu = &t->l->tus[i];
        const char *route = tu->route_id && tu->route_id[0] ? tu->route_id
                                                            : NULL;
        int dir = tu->direction;
        long trip = t->tu_trip[i];

        if (!t->tu_alone[i]) {
            continue;
        }
        if (trip >= 0) {
            if (route == NULL) {
                route = t->s->routes[t->s->trips[trip].route].id;
            }
            if (dir < 0) {
                dir = t->s->trips[trip].direction;
            }
        }
        if (route == NULL) {
            continue;
        }
        x[*n].tu = tu;
        x[*n].route_id = route;
        x[*n].direction = dir;
        (*n)++;
    }
    mtw_sort(x, *n, sizeof(*x), cmp_extra);
    return x;
}

static int same_group(const mtw_tick *t, uint32_t a, uint32_t b)
{
    return strcmp(t->vs[a].route_id, t->vs[b].route_id) == 0
           && t->vs[a].direction == t->vs[b].direction;
}

int mtw_tick_headways(mtw_tick *t, const mtw_score_params *p)
{
    hw_entries es = { NULL, 0, 0 };
    int64_t times[MTW_MAX_HEADWAYS + 1];
    uint32_t *order;
    size_t i, j, n = 0, ng = 0, nt, nx = 0, xi = 0;
    hw_extra *extras = hw_extras(t, &nx);

    order = mtw_arena_calloc(t->arena, (t->nv + 1) * sizeof(*order));
    if (order == NULL || extras == NULL) {
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        if (t->vs[i].route_id != NULL) {
            order[n++] = (uint32_t) i;
        }
    }
    mtw_sort_r(order, n, sizeof(*order), cmp_member, t);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && same_group(t, order[i], order[j]); j++) {
        }
        ng++;
    }
    t->groups = mtw_arena_calloc(t->arena, (ng + 1) * sizeof(*t->groups));
    if (t->groups == NULL) {
        return -1;
    }
    for (i = 0; i < n; i = j) {
        mtw_group_score *g = &t->groups[t->ngroups++];
        const char *stop_id = NULL;
        size_t k;

        for (j = i + 1; j < n && same_group(t, order[i], order[j]); j++) {
        }
        g->route_id = t->vs[order[i]].route_id;
        g->route = t->vs[order[i]].route;
        g->direction = t->vs[order[i]].direction;
        g->vehicles = (int) (j - i);
        g->members = order + i;
        /* this group's updates without a vehicle: extras and groups are
         * both sorted by route, then direction */
        {
            hw_extra key;
            size_t x0;

            key.route_id = g->route_id;
            key.direction = g->direction;
            while (xi < nx && cmp_extra(&extras[xi], &key) < 0) {
                xi++;
            }
            for (x0 = xi; xi < nx && cmp_extra(&extras[xi], &key) == 0;
                 xi++)
            {
            }
            if (xi > x0) {
                g->extra_tus = mtw_arena_calloc(t->arena, (xi - x0)
                                              * sizeof(*g->extra_tus));
                if (g->extra_tus == NULL) {
                    free(es.e);
                    return -1;
                }
                for (; x0 < xi; x0++) {
                    g->extra_tus[g->nextra++] = extras[x0].tu;
                }
            }
        }
        g->ref_stop = -1;
        g->scheduled = -1;
        g->observed = -1;

        if (g->vehicles + g->nextra >= 2) {
            mtw_hw_source tiers[3] = { MTW_HW_TRIP_UPDATES, MTW_HW_PROGRESS,
                                       MTW_HW_POSITIONS };
            int tier;

            for (tier = 0; tier < 3 && stop_id == NULL; tier++) {
                int rc;

                es.n = 0;
                rc = tier == 0 ? hw_collect_tu(t, g, &es)
                     : tier == 1 ? hw_collect_progress(t, g, &es)
                     : hw_collect_positions(t, g, p, &es);
                if (rc != 0) {
                    free(es.e);
                    return -1;
                }
                stop_id = hw_pick(&es, tier == 0, t->now, times, &nt);
                if (stop_id != NULL) {
                    /* consecutive gaps; zero gaps are one vehicle seen
                     * twice or a duplicate report, not a headway */
                    for (k = 1; k < nt && g->nh < MTW_MAX_HEADWAYS; k++) {
                        if (times[k] > times[k - 1]) {
                            g->headways[g->nh++] =
                                (int) (times[k] - times[k - 1]);
                        }
                    }
                    if (g->nh == 0) {
                        stop_id = NULL;
                        continue;
                    }
                    g->source = tiers[tier];
                    g->ref_stop = mtw_schedule_stop(t->s, stop_id);
                }
            }
        }
        hw_metrics(t, g, p);
    }
    free(es.e);
    return 0;
}
