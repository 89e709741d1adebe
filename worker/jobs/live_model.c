/*
 * live_model.c - live state from the decoded snapshots (live_model.h).
 */
#include "jobs/live_model.h"

#include <math.h>
#include <stddef.h>

/* first text of a translated string, preferring untagged or English */
static const char *first_text(const mtw_rt_texts *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (t->v[i].lang == NULL || t->v[i].lang[0] == '\0'
            || (t->v[i].lang[0] == 'e' && t->v[i].lang[1] == 'n'))
        {
            return t->v[i].text;
        }
    }
    return t->n > 0 ? t->v[0].text : NULL;
}

static int add_vehicles(mtw_live *l, const mtw_snapshot *s)
{
    size_t i;

    l->vehicles_ts = s->header_ts;
    for (i = 0; i < s->n_vehicles; i++) {
        const mtw_rt_vehicle *rv = &s->vehicles[i];
        mtw_vehicle *v;

        v = mtw_live_add_vehicle(l, rv->vehicle_id ? rv->vehicle_id
                                                   : rv->entity_id,
                                 rv->has_trip ? rv->trip.trip_id : NULL,
                                 rv->has_trip ? rv->trip.route_id : NULL);
        if (v == NULL) {
            return -1;
        }
        v->label = mtw_live_str(l, rv->label);
        if (rv->has_trip) {
            v->start_date = mtw_live_str(l, rv->trip.start_date);
            v->start_time = mtw_live_str(l, rv->trip.start_time);
            v->direction = rv->trip.direction_id;
        }
        v->has_pos = rv->has_position;
        v->lat = rv->lat;
        v->lon = rv->lon;
        v->bearing = rv->has_bearing ? rv->bearing : NAN;
        v->speed = rv->has_speed ? rv->speed : NAN;
        v->ts = rv->ts;
        v->stop_status = rv->stop_status;
        v->current_seq = rv->has_stop_seq ? (int32_t) rv->stop_seq : -1;
        v->stop_id = mtw_live_str(l, rv->stop_id);
        v->occupancy = rv->occupancy;
    }
    return 0;
}

static int add_trips(mtw_live *l, const mtw_snapshot *s)
{
    size_t i, k;

    l->trips_ts = s->header_ts;
    for (i = 0; i < s->n_trips; i++) {
        const mtw_rt_trip_update *ru = &s->trips[i];
        mtw_trip_update *tu = mtw_live_add_tu(l, ru->trip.trip_id,
                                              ru->trip.route_id);

        if (tu == NULL) {
            return -1;
        }
        tu->vehicle_id = mtw_live_str(l, ru->vehicle_id);
        tu->start_date = mtw_live_str(l, ru->trip.start_date);
        tu->start_time = mtw_live_str(l, ru->trip.start_time);
        tu->direction = ru->trip.direction_id;
        tu->rel = ru->trip.rel;
        tu->ts = ru->has_ts ? ru->ts : s->header_ts;
        tu->has_delay = (uint8_t) ru->has_delay;
        tu->delay = ru->delay;
        for (k = 0; k < ru->n_stops; k++) {
            const mtw_rt_stop_time *rs = &ru->stops[k];
            mtw_stop_event *e = mtw_live_add_event(l, rs->stop_id);

            if (e == NULL) {
                return -1;
            }
            e->seq = rs->has_seq ? (int32_t) rs->seq : -1;
            e->arr = rs->arr.present && rs->arr.has_time ? rs->arr.time : 0;
            e->dep = rs->dep.present && rs->dep.has_time ? rs->dep.time : 0;
            e->has_arr_delay = (uint8_t) (rs->arr.present
                                          && rs->arr.has_delay);
            e->arr_delay = rs->arr.delay;
            e->has_dep_delay = (uint8_t) (rs->dep.present
                                          && rs->dep.has_delay);
            e->dep_delay = rs->dep.delay;
            e->rel = rs->rel;
        }
    }
    return 0;
}

static int add_alerts(mtw_live *l, const mtw_snapshot *s)
{
    size_t i;

    l->alerts_ts = s->header_ts;
    for (i = 0; i < s->n_alerts; i++) {
        const mtw_rt_alert *ra = &s->alerts[i];
        mtw_alert *a = mtw_live_add_alert(l);

        if (a == NULL) {
            return -1;
        }
        a->cause = ra->cause;
        a->effect = ra->effect;
        a->header = mtw_live_str(l, first_text(&ra->header));
        a->description = mtw_live_str(l, first_text(&ra->description));
        if (ra->n_informed > 0) {
            a->route_id = mtw_live_str(l, ra->informed[0].route_id);
            a->stop_id = mtw_live_str(l, ra->informed[0].stop_id);
        }
    }
    return 0;
}

mtw_live *mtw_live_from_snapshots(const mtw_snapshot *vehicles,
                                  const mtw_snapshot *trips,
                                  const mtw_snapshot *alerts)
{
    mtw_live *l = mtw_live_create();

    if (l == NULL) {
        return NULL;
    }
    if ((vehicles != NULL && add_vehicles(l, vehicles) != 0)
        || (trips != NULL && add_trips(l, trips) != 0)
        || (alerts != NULL && add_alerts(l, alerts) != 0)
        || mtw_live_index(l) != 0)
    {
        mtw_live_free(l);
        return NULL;
    }
    return l;
}
