/*
 * rtjson.c - reference and rich JSON for vehicles, trips and alerts.
 */
#include "feed/rtjson.h"

#include <stdio.h>

/* "key": value when has, else "key": null */
static void key_double(mtw_jsonw *w, const char *key, int has, double v)
{
    mtw_jsonw_key(w, key);
    if (has) {
        mtw_jsonw_double(w, v);
    } else {
        mtw_jsonw_null(w);
    }
}

static void key_int(mtw_jsonw *w, const char *key, int has, int64_t v)
{
    mtw_jsonw_key(w, key);
    if (has) {
        mtw_jsonw_int(w, v);
    } else {
        mtw_jsonw_null(w);
    }
}

static void key_uint(mtw_jsonw *w, const char *key, int has, uint64_t v)
{
    mtw_jsonw_key(w, key);
    if (has) {
        mtw_jsonw_uint(w, v);
    } else {
        mtw_jsonw_null(w);
    }
}

/* --- reference shapes ------------------------------------------------------ */

static void ref_vehicle(mtw_jsonw *w, const mtw_rt_vehicle *v)
{
    mtw_jsonw_obj(w);
    mtw_jsonw_key(w, "id");
    mtw_jsonw_str(w, v->entity_id);
    /* null without a TripDescriptor, "" when it lacks the field */
    mtw_jsonw_key(w, "trip");
    if (v->has_trip) {
        mtw_jsonw_str(w, v->trip.trip_id ? v->trip.trip_id : "");
    } else {
        mtw_jsonw_null(w);
    }
    mtw_jsonw_key(w, "route");
    if (v->has_trip) {
        mtw_jsonw_str(w, v->trip.route_id ? v->trip.route_id : "");
    } else {
        mtw_jsonw_null(w);
    }
    mtw_jsonw_key(w, "lat");
    mtw_jsonw_double(w, v->lat);
    mtw_jsonw_key(w, "lon");
    mtw_jsonw_double(w, v->lon);
    key_double(w, "bearing", v->has_bearing, v->bearing);
    key_double(w, "speed", v->has_speed, v->speed);
    mtw_jsonw_key(w, "ts");
    mtw_jsonw_int(w, v->ts);
    mtw_jsonw_obj_end(w);
}

static void ref_time(mtw_jsonw *w, const mtw_rt_event *e)
{
    if (e->present && e->has_time) {
        mtw_jsonw_int(w, e->time);
    } else {
        mtw_jsonw_null(w);
    }
}

static void ref_trip(mtw_jsonw *w, const mtw_rt_trip_update *t)
{
    const mtw_rt_stop_time *st;
    size_t i;

    mtw_jsonw_obj(w);
    mtw_jsonw_key(w, "trip");
    mtw_jsonw_str(w, t->trip.trip_id ? t->trip.trip_id : "");
    mtw_jsonw_key(w, "route");
    mtw_jsonw_str(w, t->trip.route_id ? t->trip.route_id : "");
    mtw_jsonw_key(w, "rel");
    mtw_jsonw_int(w, t->trip.rel);
    mtw_jsonw_key(w, "stops");
    mtw_jsonw_arr(w);
    for (i = 0; i < t->n_stops; i++) {
        st = &t->stops[i];
        mtw_jsonw_obj(w);
        mtw_jsonw_key(w, "stop_id");
        mtw_jsonw_str(w, st->stop_id ? st->stop_id : "");
        mtw_jsonw_key(w, "seq");
        mtw_jsonw_uint(w, st->has_seq ? st->seq : 0);
        mtw_jsonw_key(w, "arr");
        ref_time(w, &st->arr);
        mtw_jsonw_key(w, "dep");
        ref_time(w, &st->dep);
        mtw_jsonw_key(w, "delay");
        if (st->arr.present && st->arr.has_delay) {
            mtw_jsonw_int(w, st->arr.delay);
        } else if (st->dep.present && st->dep.has_delay) {
            mtw_jsonw_int(w, st->dep.delay);
        } else {
            mtw_jsonw_null(w);
        }
        mtw_jsonw_key(w, "rel");
        mtw_jsonw_int(w, st->rel);
        mtw_jsonw_obj_end(w);
    }
    mtw_jsonw_arr_end(w);
    mtw_jsonw_obj_end(w);
}

void mtw_rtjson_reference(mtw_jsonw *w, const mtw_snapshot *s)
{
    size_t i;

    mtw_jsonw_arr(w);
    switch (s->kind) {
    case MTW_FEED_VEHICLES:
        for (i = 0; i < s->n_vehicles; i++) {
            if (s->vehicles[i].has_position) {
                ref_vehicle(w, &s->vehicles[i]);
            }
        }
        break;
    case MTW_FEED_TRIPS:
        for (i = 0; i < s->n_trips; i++) {
            ref_trip(w, &s->trips[i]);
        }
        break;
    default:
        for (i = 0; i < s->n_alerts; i++) {
            mtw_jsonw_obj(w);
            mtw_jsonw_key(w, "cause");
            mtw_jsonw_int(w, s->alerts[i].cause);
            mtw_jsonw_key(w, "effect");
            mtw_jsonw_int(w, s->alerts[i].effect);
            mtw_jsonw_obj_end(w);
        }
    }
    mtw_jsonw_arr_end(w);
}

/* --- rich shapes ----------------------------------------------------------- */

static void opt_str(mtw_jsonw *w, const char *key, const char *v)
{
    if (v != NULL) {
        mtw_jsonw_key(w, key);
        mtw_jsonw_str(w, v);
    }
}

static void opt_enum(mtw_jsonw *w, const char *key, const char *which, int v)
{
    const char *name = mtw_rt_enum_name(which, v);

    if (name != NULL) {
        mtw_jsonw_key(w, key);
        mtw_jsonw_str(w, name);
    } else if (v >= 0) {
        mtw_jsonw_key(w, key);
        mtw_jsonw_int(w, v);
    }
}

static void rich_trip_ref(mtw_jsonw *w, const mtw_rt_trip_ref *t)
{
    mtw_jsonw_key(w, "trip");
    mtw_jsonw_str(w, t->trip_id);
    mtw_jsonw_key(w, "route");
    mtw_jsonw_str(w, t->route_id);
    key_int(w, "direction_id", t->direction_id >= 0, t->direction_id);
    opt_str(w, "start_date", t->start_date);
    opt_str(w, "start_time", t->start_time);
    opt_enum(w, "trip_rel", "trip_rel", t->rel);
}

void mtw_rtjson_vehicle(mtw_jsonw *w, const mtw_rt_vehicle *v)
{
    mtw_jsonw_obj(w);
    mtw_jsonw_key(w, "id");
    mtw_jsonw_str(w, v->vehicle_id);
    mtw_jsonw_key(w, "entity_id");
    mtw_jsonw_str(w, v->entity_id);
    opt_str(w, "label", v->label);
    rich_trip_ref(w, &v->trip);
    mtw_jsonw_key(w, "lat");
    if (v->has_position) {
        mtw_jsonw_double(w, v->lat);
        mtw_jsonw_key(w, "lon");
        mtw_jsonw_double(w, v->lon);
    } else {
        mtw_jsonw_null(w);
        mtw_jsonw_key(w, "lon");
        mtw_jsonw_null(w);
    }
    key_double(w, "bearing", v->has_bearing, v->bearing);
    key_double(w, "speed", v->has_speed, v->speed);
    if (v->has_odometer) {
        mtw_jsonw_key(w, "odometer");
        mtw_jsonw_double(w, v->odometer);
    }
    mtw_jsonw_key(w, "ts");
    mtw_jsonw_int(w, v->ts);
    mtw_jsonw_key(w, "stop_id");
    mtw_jsonw_str(w, v->stop_id);
    key_uint(w, "stop_seq", v->has_stop_seq, v->stop_seq);
    opt_enum(w, "stop_status", "stop_status", v->stop_status);
    opt_enum(w, "congestion", "congestion", v->congestion);
    opt_enum(w, "occupancy", "occupancy", v->occupancy);
    if (v->occupancy_pct >= 0) {
        mtw_jsonw_key(w, "occupancy_pct");
        mtw_jsonw_int(w, v->occupancy_pct);
    }
    mtw_jsonw_obj_end(w);
}

static void rich_event(mtw_jsonw *w, const mtw_rt_event *e)
{
    if (!e->present) {
        mtw_jsonw_null(w);
        return;
    }
    mtw_jsonw_obj(w);
    key_int(w, "time", e->has_time, e->time);
    key_int(w, "delay", e->has_delay, e->delay);
    if (e->has_uncertainty) {
        mtw_jsonw_key(w, "uncertainty");
        mtw_jsonw_int(w, e->uncertainty);
    }
    mtw_jsonw_obj_end(w);
}

static void rich_trip(mtw_jsonw *w, const mtw_rt_trip_update *t)
{
    const mtw_rt_stop_time *st;
    size_t i;

    mtw_jsonw_obj(w);
    mtw_jsonw_key(w, "id");
    mtw_jsonw_str(w, t->entity_id);
    rich_trip_ref(w, &t->trip);
    mtw_jsonw_key(w, "vehicle_id");
    mtw_jsonw_str(w, t->vehicle_id);
    opt_str(w, "vehicle_label", t->vehicle_label);
    key_int(w, "ts", t->has_ts, t->ts);
    if (t->has_delay) {
        mtw_jsonw_key(w, "delay");
        mtw_jsonw_int(w, t->delay);
    }
    mtw_jsonw_key(w, "stops");
    mtw_jsonw_arr(w);
    for (i = 0; i < t->n_stops; i++) {
        st = &t->stops[i];
        mtw_jsonw_obj(w);
        mtw_jsonw_key(w, "stop_id");
        mtw_jsonw_str(w, st->stop_id);
        key_uint(w, "seq", st->has_seq, st->seq);
        opt_enum(w, "rel", "stop_rel", st->rel);
        mtw_jsonw_key(w, "arr");
        rich_event(w, &st->arr);
        mtw_jsonw_key(w, "dep");
        rich_event(w, &st->dep);
        opt_enum(w, "departure_occupancy", "occupancy",
                 st->departure_occupancy);
        mtw_jsonw_obj_end(w);
    }
    mtw_jsonw_arr_end(w);
    mtw_jsonw_obj_end(w);
}

/* The text to show: English, else untagged, else the first translation. */
static const char *pick_text(const mtw_rt_texts *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (t->v[i].lang != NULL && (t->v[i].lang[0] == 'e'
            && t->v[i].lang[1] == 'n'
            && (t->v[i].lang[2] == '\0' || t->v[i].lang[2] == '-')))
        {
            return t->v[i].text;
        }
    }
    for (i = 0; i < t->n; i++) {
        if (t->v[i].lang == NULL || t->v[i].lang[0] == '\0') {
            return t->v[i].text;
        }
    }
    return t->n > 0 ? t->v[0].text : NULL;
}

static void rich_texts(mtw_jsonw *w, const char *key, const mtw_rt_texts *t)
{
    char name[32];
    size_t i;

    mtw_jsonw_key(w, key);
    mtw_jsonw_str(w, pick_text(t));
    if (t->n < 2) {
        return;
    }
    snprintf(name, sizeof(name), "%s_i18n", key);
    mtw_jsonw_key(w, name);
    mtw_jsonw_arr(w);
    for (i = 0; i < t->n; i++) {
        mtw_jsonw_obj(w);
        mtw_jsonw_key(w, "lang");
        mtw_jsonw_str(w, t->v[i].lang);
        mtw_jsonw_key(w, "text");
        mtw_jsonw_str(w, t->v[i].text);
        mtw_jsonw_obj_end(w);
    }
    mtw_jsonw_arr_end(w);
}

static void rich_alert(mtw_jsonw *w, const mtw_rt_alert *a)
{
    const mtw_rt_informed *inf;
    size_t i;

    mtw_jsonw_obj(w);
    mtw_jsonw_key(w, "id");
    mtw_jsonw_str(w, a->entity_id);
    opt_enum(w, "cause", "cause", a->cause);
    opt_enum(w, "effect", "effect", a->effect);
    opt_enum(w, "severity", "severity", a->severity);
    rich_texts(w, "header", &a->header);
    rich_texts(w, "description", &a->description);
    rich_texts(w, "url", &a->url);
    mtw_jsonw_key(w, "active");
    mtw_jsonw_arr(w);
    for (i = 0; i < a->n_periods; i++) {
        mtw_jsonw_obj(w);
        key_int(w, "start", a->periods[i].start, a->periods[i].start);
        key_int(w, "end", a->periods[i].end, a->periods[i].end);
        mtw_jsonw_obj_end(w);
    }
    mtw_jsonw_arr_end(w);
    mtw_jsonw_key(w, "informed");
    mtw_jsonw_arr(w);
    for (i = 0; i < a->n_informed; i++) {
        inf = &a->informed[i];
        mtw_jsonw_obj(w);
        opt_str(w, "agency_id", inf->agency_id);
        opt_str(w, "route_id", inf->route_id);
        opt_str(w, "trip_id", inf->trip_id);
        opt_str(w, "stop_id", inf->stop_id);
        if (inf->route_type >= 0) {
            mtw_jsonw_key(w, "route_type");
            mtw_jsonw_int(w, inf->route_type);
        }
        if (inf->direction_id >= 0) {
            mtw_jsonw_key(w, "direction_id");
            mtw_jsonw_int(w, inf->direction_id);
        }
        mtw_jsonw_obj_end(w);
    }
    mtw_jsonw_arr_end(w);
    mtw_jsonw_obj_end(w);
}

void mtw_rtjson_rich_items(mtw_jsonw *w, const mtw_snapshot *s)
{
    size_t i;

    mtw_jsonw_arr(w);
    switch (s->kind) {
    case MTW_FEED_VEHICLES:
        for (i = 0; i < s->n_vehicles; i++) {
            mtw_rtjson_vehicle(w, &s->vehicles[i]);
        }
        break;
    case MTW_FEED_TRIPS:
        for (i = 0; i < s->n_trips; i++) {
            rich_trip(w, &s->trips[i]);
        }
        break;
    default:
        for (i = 0; i < s->n_alerts; i++) {
            rich_alert(w, &s->alerts[i]);
        }
    }
    mtw_jsonw_arr_end(w);
}

void mtw_rtjson_rich_head(mtw_jsonw *w, mtw_feed_kind kind, int64_t ts,
                          int stale, int64_t age_sec)
{
    mtw_jsonw_obj(w);
    mtw_jsonw_key(w, "ts");
    mtw_jsonw_int(w, ts);
    mtw_jsonw_key(w, "stale");
    mtw_jsonw_bool(w, stale);
    mtw_jsonw_key(w, "age_sec");
    mtw_jsonw_int(w, age_sec);
    mtw_jsonw_key(w, mtw_feed_kind_name(kind));
}

void mtw_rtjson_rich(mtw_jsonw *w, const mtw_snapshot *s, int stale,
                     int64_t age_sec)
{
    mtw_rtjson_rich_head(w, s->kind, s->header_ts, stale, age_sec);
    mtw_rtjson_rich_items(w, s);
    mtw_jsonw_obj_end(w);
}
