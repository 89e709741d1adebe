/*
 * predict.c - arrival predictions at every stop with an upcoming vehicle.
 *
 * For each vehicle on a known trip, each stop still ahead on the trip gets
 * one prediction, the best available:
 *   realtime    the trip's TripUpdate has a time for this stop    -> high
 *   propagated  an earlier stop's TripUpdate delay carried forward
 *               (GTFS-RT: a delay holds until the next update)   -> medium
 *   progress    the vehicle's position along the trip: scheduled
 *               time + its current delay                          -> medium
 *   scheduled   the timetable alone                               -> low
 * A scheduled time is never reported as high (the reference's composite
 * provider did, reference-algorithms.md §13.2).  Trips with a TripUpdate
 * but no vehicle contribute their realtime times too (reference §5.3 pass
 * 2).  Predictions older than now - 60 s are dropped (reference P8), those
 * past the horizon are not made; every stop keeps all of them (the module
 * filters by route and then applies the request's limit), or its `limit`
 * soonest when one is set.
 */
#include "score/tick.h"
#include "util/grow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAST_PREDICTION_GRACE 60    /* reference §5.3 */

const char *mtw_pred_source_str(mtw_pred_source s)
{
    static const char *const names[] = {
        "realtime", "propagated", "progress", "scheduled"
    };

    return s <= MTW_PRED_SCHEDULED ? names[s] : "scheduled";
}

static mtw_prediction *pred_push(mtw_tick *t)
{
    mtw_prediction *p;

    if (t->npreds == t->cap_preds) {
        size_t cap = t->cap_preds ? t->cap_preds * 2 : 1024;

        p = realloc(t->preds, cap * sizeof(*p));
        if (p == NULL) {
            return NULL;
        }
        t->preds = p;
        t->cap_preds = cap;
    }
    p = &t->preds[t->npreds++];
    memset(p, 0, sizeof(*p));
    p->vehicle = -1;
    p->trip = -1;
    p->stops_away = -1;
    p->row = -1;
    return p;
}

/* the TripUpdate event for pattern row k (by sequence, else stop id),
 * searching forward from *cursor (events are in trip order) */
static const mtw_stop_event *pred_event(const mtw_tick *t,
                                        const mtw_trip_update *tu,
                                        const mtw_stop_time *row,
                                        uint32_t *cursor)
{
    const mtw_stop_event *ev = t->l->events + tu->ev_first;
    const char *stop_id = t->s->stops[row->stop].id;
    uint32_t k;

    for (k = *cursor; k < tu->ev_count; k++) {
        if (ev[k].seq >= 0 ? ev[k].seq == row->seq
            : (ev[k].stop_id != NULL && strcmp(ev[k].stop_id, stop_id) == 0))
        {
            *cursor = k + 1;
            return &ev[k];
        }
    }
    return NULL;
}

/* predictions along a scheduled trip for vehicle vi (-1: TripUpdate only) */
static int pred_trip(mtw_tick *t, long trip, long vi,
                     const mtw_trip_update *tu, const mtw_score_params *p)
{
    const mtw_trip *tr = &t->s->trips[trip];
    const mtw_stop_time *rows = t->s->st + tr->st_first;
    const mtw_vstate *vs = vi >= 0 ? &t->vs[vi] : NULL;
    int64_t horizon = t->now + p->pred_horizon_sec;
    uint32_t k, first = 0, cursor = 0;
    int has_prop = 0, prop_delay = 0;

    if (vs != NULL && vs->has_progress) {
        first = vs->next_row;
    }
    for (k = 0; k < tr->st_count; k++) {
        const mtw_stop_event *e = NULL;
        int64_t sched = mtw_trip_arr(tr, &rows[k]), at, tm = 0;
        mtw_pred_source src;
        mtw_prediction *pr;

        if (tu != NULL) {
            e = pred_event(t, tu, &rows[k], &cursor);
            if (e != NULL && e->rel == 1) {
                continue;                       /* SKIPPED */
            }
            if (e != NULL) {
                tm = e->arr ? e->arr : e->dep;
                if (e->has_arr_delay || e->has_dep_delay) {
                    has_prop = 1;
                    prop_delay = e->has_arr_delay ? e->arr_delay
                                                  : e->dep_delay;
                } else if (tm != 0) {
                    has_prop = 1;
                    prop_delay = (int) (tm - sched);
                }
            }
        }
        if (k < first) {
            continue;                           /* already passed */
        }
        if (tm != 0) {
            at = tm;
            src = MTW_PRED_REALTIME;
        } else if (has_prop) {
            at = sched + prop_delay;
            src = MTW_PRED_PROPAGATED;
        } else if (vs != NULL && vs->has_progress && vs->has_delay) {
            at = sched + vs->delay;
            src = MTW_PRED_PROGRESS;
        } else if (vs != NULL && vs->has_progress) {
            int64_t ts = t->l->vehicles[vi].ts ? t->l->vehicles[vi].ts
                                               : t->now;

            at = ts + (int64_t) llround(rows[k].arr - vs->sched_at);
            src = MTW_PRED_PROGRESS;
        } else {
            at = sched;
            src = MTW_PRED_SCHEDULED;
        }
        if (at < t->now - PAST_PREDICTION_GRACE) {
            continue;
        }
        if (at > horizon) {
            break;
        }
        pr = pred_push(t);
        if (pr == NULL) {
            return -1;
        }
        pr->stop = rows[k].stop;
        pr->row = (int) k;
        pr->vehicle = vi;
        pr->trip = trip;
        pr->tu = tu;
        pr->route_id = vs != NULL && vs->route_id ? vs->route_id
                       : t->s->routes[tr->route].id;
        pr->trip_id = tr->id;
        pr->arrival_at = at;
        pr->scheduled_at = sched;
        pr->source = src;
        pr->confidence = src == MTW_PRED_REALTIME ? MTW_CONF_HIGH
                         : src == MTW_PRED_SCHEDULED ? MTW_CONF_LOW
                         : MTW_CONF_MEDIUM;
        if (vs != NULL && vs->has_progress) {
            pr->stops_away = (int) (k - vs->next_row);
        }
    }
    return 0;
}

/* a TripUpdate whose trip is not in the timetable: its own times only */
static int pred_tu_only(mtw_tick *t, long vi, const mtw_trip_update *tu,
                        const mtw_score_params *p)
{
    const mtw_stop_event *ev = t->l->events + tu->ev_first;
    int64_t horizon = t->now + p->pred_horizon_sec;
    uint32_t k;

    for (k = 0; k < tu->ev_count; k++) {
        int64_t tm = ev[k].arr ? ev[k].arr : ev[k].dep;
        long stop = ev[k].stop_id ? mtw_schedule_stop(t->s, ev[k].stop_id)
                                  : -1;
        mtw_prediction *pr;

        if (tm == 0 || ev[k].rel == 1 || stop < 0
            || tm < t->now - PAST_PREDICTION_GRACE || tm > horizon)
        {
            continue;
        }
        pr = pred_push(t);
        if (pr == NULL) {
            return -1;
        }
        pr->stop = (uint32_t) stop;
        pr->vehicle = vi;
        pr->tu = tu;
        pr->route_id = vi >= 0 && t->vs[vi].route_id ? t->vs[vi].route_id
                       : tu->route_id;
        pr->trip_id = tu->trip_id;
        pr->arrival_at = tm;
        pr->source = MTW_PRED_REALTIME;
        pr->confidence = MTW_CONF_HIGH;
    }
    return 0;
}

static int cmp_pred(const void *a, const void *b)
{
    const mtw_prediction *x = a, *y = b;

    if (x->stop != y->stop) {
        return x->stop < y->stop ? -1 : 1;
    }
    if (x->arrival_at != y->arrival_at) {
        return x->arrival_at < y->arrival_at ? -1 : 1;
    }
    /* equal times: realtime first, then stable by vehicle */
    if (x->source != y->source) {
        return x->source < y->source ? -1 : 1;
    }
    return (x->vehicle > y->vehicle) - (x->vehicle < y->vehicle);
}

/*
 * The predictions in stop order by a counting sort into the spare buffer
 * (a stop has a few; the comparison sort of all 60,000 at a x20 peak cost
 * more than making them), then each stop's by cmp_pred.  Both passes keep
 * the order of equals, as the merge sort of qsort did.  Fills stop_first
 * and stop_count.
 */
static int pred_sort_by_stop(mtw_tick *t)
{
    size_t nstops = t->s->nstops, i, k, j;
    uint32_t *fill;
    mtw_prediction *out, tmp;

    t->stop_first = mtw_arena_calloc(t->arena, (nstops + 1)
                                    * sizeof(uint32_t));
    t->stop_count = mtw_arena_calloc(t->arena, (nstops + 1)
                                    * sizeof(uint32_t));
    fill = mtw_arena_calloc(t->arena, (nstops + 1) * sizeof(uint32_t));
    if (t->stop_first == NULL || t->stop_count == NULL || fill == NULL
        || mtw_grow((void **) &t->spare, &t->cap_spare, t->npreds + 1,
                    sizeof(*t->spare)) != 0)
    {
        return -1;
    }
    for (i = 0; i < t->npreds; i++) {
        t->stop_count[t->preds[i].stop]++;
    }
    for (k = 1; k < nstops; k++) {
        t->stop_first[k] = t->stop_first[k - 1] + t->stop_count[k - 1];
    }
    out = t->spare;
    for (i = 0; i < t->npreds; i++) {
        uint32_t st = t->preds[i].stop;

        out[t->stop_first[st] + fill[st]++] = t->preds[i];
    }
    t->spare = t->preds;
    t->preds = out;
    k = t->cap_spare;
    t->cap_spare = t->cap_preds;
    t->cap_preds = k;
    for (k = 0; k < nstops; k++) {
        mtw_prediction *a = &t->preds[t->stop_first[k]];
        size_t n = t->stop_count[k];

        if (n > 16) {
            mtw_sort(a, n, sizeof(*a), cmp_pred);
            continue;
        }
        for (i = 1; i < n; i++) {
            tmp = a[i];
            for (j = i; j > 0 && cmp_pred(&a[j - 1], &tmp) > 0; j--) {
                a[j] = a[j - 1];
            }
            a[j] = tmp;
        }
    }
    return 0;
}

int mtw_tick_predict(mtw_tick *t, const mtw_score_params *p)
{
    const mtw_live *l = t->l;
    size_t i, w, s;

    for (i = 0; i < t->nv; i++) {
        const mtw_vstate *vs = &t->vs[i];
        int rc = 0;

        if (vs->trip >= 0) {
            rc = pred_trip(t, vs->trip, (long) i, vs->tu, p);
        } else if (vs->tu != NULL) {
            rc = pred_tu_only(t, (long) i, vs->tu, p);
        }
        if (rc != 0) {
            return -1;
        }
    }
    /* trips with an update but no vehicle (reference §5.3 pass 2) */
    for (i = 0; i < l->ntus; i++) {
        const mtw_trip_update *tu = &l->tus[i];
        long trip = t->tu_trip[i];
        int rc;

        if (!t->tu_alone[i]) {
            continue;
        }
        rc = trip >= 0 ? pred_trip(t, trip, -1, tu, p)
                       : pred_tu_only(t, -1, tu, p);
        if (rc != 0) {
            return -1;
        }
    }

    if (pred_sort_by_stop(t) != 0) {
        return -1;
    }
    /* keep the `limit` soonest per stop, compacting in place */
    for (s = 0, w = 0; s < t->s->nstops; s++) {
        uint32_t first = t->stop_first[s], n = t->stop_count[s];

        if (p->pred_limit > 0 && n > (uint32_t) p->pred_limit) {
            n = (uint32_t) p->pred_limit;
        }
        if (w != first) {
            memmove(&t->preds[w], &t->preds[first], n * sizeof(*t->preds));
        }
        t->stop_first[s] = (uint32_t) w;
        t->stop_count[s] = n;
        w += n;
    }
    t->npreds = w;
    /* each vehicle's next arrival */
    for (i = 0; i < t->npreds; i++) {
        long vi = t->preds[i].vehicle;

        if (vi >= 0 && (t->vs[vi].next_pred < 0
            || t->preds[i].arrival_at
               < t->preds[t->vs[vi].next_pred].arrival_at))
        {
            t->vs[vi].next_pred = (long) i;
        }
    }
    return 0;
}

/* the trip updates' lookups, once: headways and predictions take the
 * alone ones' trips, the history's steps every one's run */
static int tick_updates(mtw_tick *t)
{
    const mtw_live *l = t->l;
    mtw_idmap seen = { 0 };
    size_t i;

    t->tu_alone = mtw_arena_calloc(t->arena, l->ntus + 1);
    t->tu_trip = mtw_arena_calloc(t->arena, (l->ntus + 1) * sizeof(long));
    t->tu_run = mtw_arena_calloc(t->arena, (l->ntus + 1) * sizeof(long));
    if (t->tu_alone == NULL || t->tu_trip == NULL || t->tu_run == NULL) {
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        if (t->vs[i].tu != NULL
            && mtw_idmap_put(&seen, t->vs[i].tu->trip_id, 1) != 0)
        {
            mtw_idmap_clear(&seen);
            return -1;
        }
    }
    for (i = 0; i < l->ntus; i++) {
        const mtw_trip_update *tu = &l->tus[i];

        t->tu_trip[i] = -1;
        t->tu_run[i] = -1;
        if (tu->trip_id == NULL) {
            continue;
        }
        if (tu->rel != 3                        /* 3 = CANCELED */
            && mtw_idmap_get(&seen, tu->trip_id) == MTW_IDMAP_NONE)
        {
            t->tu_alone[i] = 1;
            t->tu_trip[i] = mtw_schedule_find_trip(t->s, tu->trip_id, 0,
                                                   -1, t->now);
        }
        if (tu->trip_id[0] != '\0') {
            t->tu_run[i] = mtw_schedule_find_run(t->s, tu->trip_id,
                                                 tu->start_date,
                                                 tu->start_time,
                                                 tu->ts > 0 ? tu->ts
                                                            : t->now);
        }
    }
    mtw_idmap_clear(&seen);
    return 0;
}

mtw_tick *mtw_tick_run(const mtw_schedule *s, const mtw_live *l,
                       int64_t now, const mtw_score_params *p)
{
    return mtw_tick_run_in(NULL, s, l, now, p);
}

mtw_tick *mtw_tick_run_in(mtw_tick_room *room, const mtw_schedule *s,
                          const mtw_live *l, int64_t now,
                          const mtw_score_params *p)
{
    mtw_tick *t = calloc(1, sizeof(*t));
    size_t i;

    if (t == NULL) {
        return NULL;
    }
    if (room != NULL) {
        /* the room's buffers are the tick's until it is freed */
        t->room = room;
        t->arena = room->arena;
        t->preds = room->preds;
        t->cap_preds = room->cap_preds;
        t->spare = room->spare;
        t->cap_spare = room->cap_spare;
        memset(room, 0, sizeof(*room));
    }
    if (t->arena == NULL
        && (t->arena = mtw_arena_create(64 * 1024)) == NULL)
    {
        mtw_tick_free(t);
        return NULL;
    }
    t->now = now;
    t->s = s;
    t->l = l;
    t->nv = l->nvehicles;
    t->vs = mtw_arena_calloc(t->arena, (t->nv + 1) * sizeof(*t->vs));
    if (t->vs == NULL) {
        mtw_tick_free(t);
        return NULL;
    }
    for (i = 0; i < t->nv; i++) {
        mtw_vehicle_state(s, l, &l->vehicles[i], now, p, &t->vs[i]);
    }
    if (tick_updates(t) != 0 || mtw_tick_headways(t, p) != 0
        || mtw_tick_predict(t, p) != 0)
    {
        mtw_tick_free(t);
        return NULL;
    }
    return t;
}

void mtw_tick_free(mtw_tick *t)
{
    mtw_tick_room *room;

    if (t == NULL) {
        return;
    }
    room = t->room;
    if (room != NULL) {
        /* (the room was emptied when the tick took its buffers) */
        if (t->arena != NULL) {
            mtw_arena_reset(t->arena);
        }
        room->arena = t->arena;
        room->preds = t->preds;
        room->cap_preds = t->cap_preds;
        room->spare = t->spare;
        room->cap_spare = t->cap_spare;
    } else {
        free(t->preds);
        free(t->spare);
        mtw_arena_destroy(t->arena);
    }
    free(t);
}

void mtw_tick_room_free(mtw_tick_room *r)
{
    free(r->preds);
    free(r->spare);
    mtw_arena_destroy(r->arena);
    memset(r, 0, sizeof(*r));
}
