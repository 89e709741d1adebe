/*
 * vehicle.c - one vehicle's trip, position along it, delay and status.
 *
 * Delay, in order of trust: the first upcoming TripUpdate stop event that
 * carries a delay (reference-algorithms.md §4.2, PAST_STOP_GRACE 90 s); a
 * TripUpdate time against the static time of the same stop; the vehicle's
 * position along its trip against the schedule interpolated between the
 * surrounding stops (reference §4.1, but with distance along the stops
 * instead of the nearest stop's sequence number, QUIRK 3 fixed).
 */
#include "score/tick.h"
#include "score/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAST_STOP_GRACE 90      /* reference §4.2 */
#define LOOP_TIE_M 50.0         /* segments this close compete on time */

const char *mtw_delay_source_str(mtw_delay_source s)
{
    switch (s) {
    case MTW_DELAY_TU:       return "trip_update";
    case MTW_DELAY_TU_TIME:  return "trip_update_time";
    case MTW_DELAY_PROGRESS: return "progress";
    default:                 return NULL;
    }
}

void mtw_score_params_default(mtw_score_params *p)
{
    p->otp.early_sec = 60;
    p->otp.late_sec = 300;
    p->pred_limit = 0;
    p->pred_horizon_sec = 5400;
    p->max_off_route_m = 600;
}

void mtw_locate(const mtw_schedule *s, const mtw_trip *t, double lat,
                double lon, int64_t ts, int32_t hint_seq, int hint_status,
                double max_off_m, mtw_vstate *o)
{
    const mtw_stop_time *p = s->st + t->st_first;
    uint32_t n = t->st_count, k, best = UINT32_MAX, hint_row = UINT32_MAX;
    double best_d = INFINITY, best_f = 0, d, f, best_dt = INFINITY;
    double rel = (double) (ts - t->base - t->shift);

    o->has_progress = 0;
    if (n < 2) {
        return;
    }
    if (hint_seq >= 0) {
        for (k = 0; k < n; k++) {
            if (p[k].seq == hint_seq) {
                hint_row = k;
                break;
            }
        }
    }
    if (hint_row != UINT32_MAX && hint_status == MTW_VS_STOPPED_AT) {
        /* the feed says where it is: trust it if the position agrees */
        const mtw_stop *st = &s->stops[p[hint_row].stop];

        d = mtw_haversine_m(lat, lon, st->lat, st->lon);
        if (d <= max_off_m) {
            best = hint_row == n - 1 ? hint_row - 1 : hint_row;
            best_f = hint_row == n - 1 ? 1.0 : 0.0;
            best_d = d;
        }
    }
    if (best == UINT32_MAX) {
        /* first pass: the nearest segment's distance */
        double min_d = INFINITY;

        for (k = 0; k + 1 < n; k++) {
            const mtw_stop *a = &s->stops[p[k].stop];
            const mtw_stop *b = &s->stops[p[k + 1].stop];

            if (hint_row != UINT32_MAX && hint_row > 0
                && k + 1 != hint_row)
            {
                continue;       /* IN_TRANSIT_TO / INCOMING_AT hint_row */
            }
            d = mtw_project_segment(lat, lon, a->lat, a->lon, b->lat,
                                    b->lon, &f);
            if (d < min_d) {
                min_d = d;
            }
        }
        if (hint_row != UINT32_MAX && min_d > max_off_m) {
            hint_row = UINT32_MAX;      /* hint disagrees: ignore it */
            for (k = 0; k + 1 < n; k++) {
                const mtw_stop *a = &s->stops[p[k].stop];
                const mtw_stop *b = &s->stops[p[k + 1].stop];

                d = mtw_project_segment(lat, lon, a->lat, a->lon, b->lat,
                                        b->lon, &f);
                if (d < min_d) {
                    min_d = d;
                }
            }
        }
        /* second pass: among segments about as near (loops, out-and-back
         * routes), the one whose scheduled time is nearest the report */
        for (k = 0; k + 1 < n; k++) {
            const mtw_stop *a = &s->stops[p[k].stop];
            const mtw_stop *b = &s->stops[p[k + 1].stop];
            double tsched, dt;

            if (hint_row != UINT32_MAX && hint_row > 0 && k + 1 != hint_row) {
                continue;
            }
            d = mtw_project_segment(lat, lon, a->lat, a->lon, b->lat,
                                    b->lon, &f);
            if (d > min_d + LOOP_TIE_M) {
                continue;
            }
            tsched = p[k].dep + f * (p[k + 1].arr - p[k].dep);
            dt = fabs(tsched - rel);
            if (dt < best_dt) {
                best_dt = dt;
                best = k;
                best_f = f;
                best_d = d;
            }
        }
    }
    if (best == UINT32_MAX || best_d > max_off_m) {
        return;
    }
    o->has_progress = 1;
    o->seg = best;
    o->frac = best_f;
    o->off_route_m = best_d;
    o->dist = p[best].dist + best_f * (p[best + 1].dist - p[best].dist);
    o->sched_at = p[best].dep + best_f * (p[best + 1].arr - p[best].dep);
    o->next_row = best_f >= 0.999 ? best + 1 : best + (best_f > 0.001);
    if (best == 0 && best_f <= 0.001) {
        o->next_row = 0;        /* at the first stop, not yet departed */
    }
    if (o->next_row >= n) {
        o->next_row = n - 1;
    }
}

void mtw_vehicle_state(const mtw_schedule *s, const mtw_live *l,
                       const mtw_vehicle *v, int64_t now,
                       const mtw_score_params *p, mtw_vstate *o)
{
    const mtw_trip *t = NULL;
    int64_t ref;
    uint32_t k;

    memset(o, 0, sizeof(*o));
    o->trip = -1;
    o->route = -1;
    o->next_pred = -1;
    o->direction = v->direction;
    o->route_id = v->route_id && v->route_id[0] ? v->route_id : NULL;

    if (v->trip_id != NULL && v->trip_id[0] != '\0') {
        o->trip = mtw_schedule_find_run(s, v->trip_id, v->start_date,
                                        v->start_time, v->ts ? v->ts : now);
        o->tu = mtw_live_tu(l, v->trip_id);
    }
    if (o->trip >= 0) {
        t = &s->trips[o->trip];
        if (o->route_id == NULL) {
            o->route_id = s->routes[t->route].id;
        }
        if (o->direction < 0) {
            o->direction = t->direction;
        }
    }
    if (o->route_id == NULL && o->tu != NULL && o->tu->route_id != NULL
        && o->tu->route_id[0] != '\0')
    {
        o->route_id = o->tu->route_id;
    }
    if (o->direction < 0 && o->tu != NULL) {
        o->direction = o->tu->direction;
    }
    if (o->route_id != NULL) {
        o->route = mtw_schedule_route(s, o->route_id);
    }

    if (t != NULL && v->has_pos) {
        mtw_locate(s, t, v->lat, v->lon, v->ts ? v->ts : now,
                   v->current_seq, v->stop_status, p->max_off_route_m, o);
    }

    /* 1. TripUpdate stop events (reference §4.2) */
    ref = v->ts > now ? v->ts : now;
    if (o->tu != NULL) {
        const mtw_stop_event *ev = l->events + o->tu->ev_first;
        uint32_t from = 0;

        for (k = 0; k < o->tu->ev_count && !o->has_delay; k++) {
            const mtw_stop_event *e = &ev[k];
            int64_t tm = e->arr ? e->arr : e->dep;

            if (tm == 0 || tm < ref - PAST_STOP_GRACE || e->rel == 1) {
                continue;
            }
            if (e->has_arr_delay || e->has_dep_delay) {
                o->delay = e->has_arr_delay ? e->arr_delay : e->dep_delay;
                o->delay_source = MTW_DELAY_TU;
                o->has_delay = 1;
            } else if (t != NULL) {
                long r = mtw_trip_row_of(s, t, e->seq, e->stop_id, from);

                if (r >= 0) {
                    const mtw_stop_time *row = s->st + t->st_first + r;

                    o->delay = (int) (tm - (e->arr ? mtw_trip_arr(t, row)
                                                  : mtw_trip_dep(t, row)));
                    o->delay_source = MTW_DELAY_TU_TIME;
                    o->has_delay = 1;
                    from = (uint32_t) r;
                }
            }
        }
    }
    /* 2. position along the trip */
    if (!o->has_delay && o->has_progress) {
        int64_t expected = t->base + t->shift + (int64_t) llround(o->sched_at);
        int64_t at = v->ts ? v->ts : now;

        o->delay = (int) (at - expected);
        if (o->seg == 0 && o->frac <= 0.001 && o->delay < 0) {
            o->delay = 0;       /* waiting at the first stop: not early */
        }
        o->delay_source = MTW_DELAY_PROGRESS;
        o->has_delay = 1;
    }
    if (o->has_delay) {
        mtw_status_classify(o->delay, &o->status);
        o->has_reason = mtw_traffic_reason(o->route_id, o->delay, o->reason,
                                           sizeof(o->reason));
    }
}
