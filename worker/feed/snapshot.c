/*
 * snapshot.c - FeedMessage -> mtw_snapshot model (pure apart from memory).
 */
#include "feed/snapshot.h"
#include "feed/decode.h"

#include <stdio.h>
#include <string.h>


static const char *const kind_names[MTW_FEED_KINDS] = {
    "vehicles", "trips", "alerts"
};

const char *mtw_feed_kind_name(mtw_feed_kind kind)
{
    return (unsigned) kind < MTW_FEED_KINDS ? kind_names[kind] : "?";
}

void mtw_snapshot_init(mtw_snapshot *s, mtw_feed_kind kind)
{
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->max_entities = MTW_SNAPSHOT_MAX_ENTITIES;
    mtw_arena_init(&s->arena, 0, MTW_SNAPSHOT_ARENA_MAX);
}

void mtw_snapshot_free(mtw_snapshot *s)
{
    mtw_arena_free(&s->arena);
    memset(s, 0, sizeof(*s));
}

static void snapshot_clear(mtw_snapshot *s)
{
    mtw_feed_kind kind = s->kind;
    mtw_arena arena = s->arena;
    long max_entities = s->max_entities;

    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->arena = arena;
    s->max_entities = max_entities;
}

static void trip_ref(mtw_rt_trip_ref *t, const TransitRealtime__TripDescriptor *d)
{
    memset(t, 0, sizeof(*t));
    t->direction_id = -1;
    if (d == NULL) {
        return;
    }
    t->trip_id = d->trip_id;
    t->route_id = d->route_id;
    t->start_date = d->start_date;
    t->start_time = d->start_time;
    if (d->has_direction_id) {
        t->direction_id = (int) d->direction_id;
    }
    t->rel = d->has_schedule_relationship ? (int) d->schedule_relationship : 0;
}

static void event_of(mtw_rt_event *e,
                     const TransitRealtime__TripUpdate__StopTimeEvent *p)
{
    if (p == NULL) {
        memset(e, 0, sizeof(*e));
        return;
    }
    e->time = p->time;
    e->delay = p->delay;
    e->uncertainty = p->uncertainty;
    e->present = 1;
    e->has_time = (unsigned char) p->has_time;
    e->has_delay = (unsigned char) p->has_delay;
    e->has_uncertainty = (unsigned char) p->has_uncertainty;
}

static int vehicle_of(mtw_rt_vehicle *v, const TransitRealtime__FeedEntity *e,
                      int64_t header_ts)
{
    const TransitRealtime__VehiclePosition *p = e->vehicle;

    memset(v, 0, sizeof(*v));
    v->entity_id = e->id;
    v->vehicle_id = e->id;
    if (p->vehicle != NULL) {
        if (p->vehicle->id != NULL && p->vehicle->id[0] != '\0') {
            v->vehicle_id = p->vehicle->id;
        }
        v->label = p->vehicle->label;
    }
    v->has_trip = p->trip != NULL;
    trip_ref(&v->trip, p->trip);
    if (p->position != NULL) {
        v->has_position = 1;
        v->lat = p->position->latitude;
        v->lon = p->position->longitude;
        v->has_bearing = p->position->has_bearing;
        v->bearing = p->position->bearing;
        v->has_speed = p->position->has_speed;
        v->speed = p->position->speed;
        v->has_odometer = p->position->has_odometer;
        v->odometer = p->position->odometer;
    }
    v->ts = p->has_timestamp && p->timestamp > 0 ? (int64_t) p->timestamp
                                                 : header_ts;
    v->stop_id = p->stop_id;
    v->has_stop_seq = p->has_current_stop_sequence;
    v->stop_seq = p->current_stop_sequence;
    v->stop_status = p->has_current_status ? (int) p->current_status : -1;
    v->congestion = p->has_congestion_level ? (int) p->congestion_level : -1;
    v->occupancy = p->has_occupancy_status ? (int) p->occupancy_status : -1;
    v->occupancy_pct = p->has_occupancy_percentage
                       ? (int) p->occupancy_percentage : -1;
    return 0;
}

static int trip_of(mtw_arena *a, mtw_rt_trip_update *t,
                   const TransitRealtime__FeedEntity *e)
{
    const TransitRealtime__TripUpdate *u = e->trip_update;
    const TransitRealtime__TripUpdate__StopTimeUpdate *su;
    mtw_rt_stop_time *st;
    size_t i;

    memset(t, 0, sizeof(*t));
    t->entity_id = e->id;
    trip_ref(&t->trip, u->trip);
    if (u->vehicle != NULL) {
        t->vehicle_id = u->vehicle->id;
        t->vehicle_label = u->vehicle->label;
    }
    t->has_ts = u->has_timestamp;
    t->ts = (int64_t) u->timestamp;
    t->has_delay = u->has_delay;
    t->delay = u->delay;
    if (u->n_stop_time_update == 0) {
        return 0;
    }
    t->stops = mtw_arena_alloc(a, u->n_stop_time_update * sizeof(*t->stops));
    if (t->stops == NULL) {
        return -1;
    }
    t->n_stops = u->n_stop_time_update;
    for (i = 0; i < u->n_stop_time_update; i++) {
        su = u->stop_time_update[i];
        st = &t->stops[i];
        st->stop_id = su->stop_id;
        st->has_seq = (unsigned char) su->has_stop_sequence;
        st->seq = su->stop_sequence;
        st->rel = su->has_schedule_relationship
                  ? (signed char) su->schedule_relationship : 0;
        event_of(&st->arr, su->arrival);
        event_of(&st->dep, su->departure);
        st->departure_occupancy = su->has_departure_occupancy_status
                                  ? (signed char) su->departure_occupancy_status
                                  : -1;
    }
    return 0;
}

static int texts_of(mtw_arena *a, mtw_rt_texts *out,
                    const TransitRealtime__TranslatedString *ts)
{
    size_t i;

    out->v = NULL;
    out->n = 0;
    if (ts == NULL || ts->n_translation == 0) {
        return 0;
    }
    out->v = mtw_arena_alloc(a, ts->n_translation * sizeof(*out->v));
    if (out->v == NULL) {
        return -1;
    }
    for (i = 0; i < ts->n_translation; i++) {
        out->v[i].lang = ts->translation[i]->language;
        out->v[i].text = ts->translation[i]->text;
    }
    out->n = ts->n_translation;
    return 0;
}

static int alert_of(mtw_arena *a, mtw_rt_alert *al,
                    const TransitRealtime__FeedEntity *e)
{
    const TransitRealtime__Alert *p = e->alert;
    const TransitRealtime__EntitySelector *sel;
    mtw_rt_informed *inf;
    size_t i;

    memset(al, 0, sizeof(*al));
    al->entity_id = e->id;
    al->cause = p->has_cause ? (int) p->cause : 1;       /* UNKNOWN_CAUSE */
    al->effect = p->has_effect ? (int) p->effect : 8;    /* UNKNOWN_EFFECT */
    al->severity = p->has_severity_level ? (int) p->severity_level : 1;
    if (p->n_active_period > 0) {
        al->periods = mtw_arena_alloc(a, p->n_active_period
                                         * sizeof(*al->periods));
        if (al->periods == NULL) {
            return -1;
        }
        for (i = 0; i < p->n_active_period; i++) {
            al->periods[i].start = p->active_period[i]->has_start
                                   ? (int64_t) p->active_period[i]->start : 0;
            al->periods[i].end = p->active_period[i]->has_end
                                 ? (int64_t) p->active_period[i]->end : 0;
        }
        al->n_periods = p->n_active_period;
    }
    if (p->n_informed_entity > 0) {
        al->informed = mtw_arena_alloc(a, p->n_informed_entity
                                          * sizeof(*al->informed));
        if (al->informed == NULL) {
            return -1;
        }
        for (i = 0; i < p->n_informed_entity; i++) {
            sel = p->informed_entity[i];
            inf = &al->informed[i];
            inf->agency_id = sel->agency_id;
            inf->route_id = sel->route_id;
            inf->stop_id = sel->stop_id;
            inf->trip_id = sel->trip != NULL ? sel->trip->trip_id : NULL;
            if (inf->route_id == NULL && sel->trip != NULL) {
                inf->route_id = sel->trip->route_id;
            }
            inf->route_type = sel->has_route_type ? sel->route_type : -1;
            inf->direction_id = sel->has_direction_id
                                ? (int) sel->direction_id : -1;
        }
        al->n_informed = p->n_informed_entity;
    }
    if (texts_of(a, &al->header, p->header_text) != 0
        || texts_of(a, &al->description, p->description_text) != 0
        || texts_of(a, &al->url, p->url) != 0)
    {
        return -1;
    }
    return 0;
}

int mtw_snapshot_decode(mtw_snapshot *s, const uint8_t *data, size_t len,
                        int64_t received_at, char *err, size_t errlen)
{
    TransitRealtime__FeedMessage *m;
    const TransitRealtime__FeedEntity *e;
    size_t i, nv = 0, nt = 0, na = 0;
    long entities;

    snapshot_clear(s);
    mtw_arena_reset(&s->arena);
    entities = mtw_feed_count_entities(data, len);
    if (entities > s->max_entities) {
        snprintf(err, errlen, "%ld entities, more than the %ld allowed "
                 "(MTW_RT_MAX_ENTITIES): refused", entities, s->max_entities);
        return -1;
    }
    s->arena.limit = len < (MTW_SNAPSHOT_ARENA_MAX - (1 << 20))
                           / MTW_SNAPSHOT_ARENA_PER_BYTE
                     ? (1 << 20) + len * MTW_SNAPSHOT_ARENA_PER_BYTE
                     : MTW_SNAPSHOT_ARENA_MAX;
    m = mtw_feed_unpack(&s->arena, data, len, err, errlen);
    if (m == NULL) {
        return -1;
    }
    s->received_at = received_at;
    s->body_bytes = len;
    s->version = m->header->gtfs_realtime_version;
    s->incrementality = m->header->has_incrementality
                        ? (int) m->header->incrementality : 0;
    s->header_has_ts = m->header->has_timestamp && m->header->timestamp > 0;
    s->header_ts = s->header_has_ts ? (int64_t) m->header->timestamp
                                    : received_at;
    s->n_entities = m->n_entity;

    for (i = 0; i < m->n_entity; i++) {
        e = m->entity[i];
        if (e->has_is_deleted && e->is_deleted) {
            continue;
        }
        nv += e->vehicle != NULL;
        nt += e->trip_update != NULL;
        na += e->alert != NULL;
    }
    if ((nv && !(s->vehicles = mtw_arena_alloc(&s->arena, nv * sizeof(*s->vehicles))))
        || (nt && !(s->trips = mtw_arena_alloc(&s->arena, nt * sizeof(*s->trips))))
        || (na && !(s->alerts = mtw_arena_alloc(&s->arena, na * sizeof(*s->alerts)))))
    {
        goto oom;
    }
    for (i = 0; i < m->n_entity; i++) {
        e = m->entity[i];
        if (e->has_is_deleted && e->is_deleted) {
            continue;
        }
        if (e->vehicle != NULL) {
            vehicle_of(&s->vehicles[s->n_vehicles++], e, s->header_ts);
        }
        if (e->trip_update != NULL
            && trip_of(&s->arena, &s->trips[s->n_trips++], e) != 0)
        {
            goto oom;
        }
        if (e->alert != NULL
            && alert_of(&s->arena, &s->alerts[s->n_alerts++], e) != 0)
        {
            goto oom;
        }
    }
    s->valid = 1;
    return 0;

oom:
    snapshot_clear(s);
    snprintf(err, errlen, "out of memory building the snapshot");
    return -1;
}

size_t mtw_snapshot_count(const mtw_snapshot *s)
{
    switch (s->kind) {
    case MTW_FEED_VEHICLES: return s->n_vehicles;
    case MTW_FEED_TRIPS: return s->n_trips;
    case MTW_FEED_ALERTS: return s->n_alerts;
    default: return 0;
    }
}

const mtw_rt_trip_update *mtw_snapshot_find_trip(const mtw_snapshot *s,
                                                 const char *trip_id)
{
    size_t i;

    for (i = 0; i < s->n_trips; i++) {
        if (s->trips[i].trip.trip_id != NULL
            && strcmp(s->trips[i].trip.trip_id, trip_id) == 0)
        {
            return &s->trips[i];
        }
    }
    return NULL;
}

const char *mtw_rt_enum_name(const char *which, int value)
{
    static const struct {
        const char *which;
        const ProtobufCEnumDescriptor *d;
    } enums[] = {
        { "trip_rel", &transit_realtime__trip_descriptor__schedule_relationship__descriptor },
        { "stop_rel", &transit_realtime__trip_update__stop_time_update__schedule_relationship__descriptor },
        { "stop_status", &transit_realtime__vehicle_position__vehicle_stop_status__descriptor },
        { "congestion", &transit_realtime__vehicle_position__congestion_level__descriptor },
        { "occupancy", &transit_realtime__vehicle_position__occupancy_status__descriptor },
        { "cause", &transit_realtime__alert__cause__descriptor },
        { "effect", &transit_realtime__alert__effect__descriptor },
        { "severity", &transit_realtime__alert__severity_level__descriptor },
    };
    const ProtobufCEnumValue *v;
    size_t i;

    if (value < 0) {
        return NULL;
    }
    for (i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
        if (strcmp(enums[i].which, which) == 0) {
            v = protobuf_c_enum_descriptor_get_value(enums[i].d, value);
            return v != NULL ? v->name : NULL;
        }
    }
    return NULL;
}
