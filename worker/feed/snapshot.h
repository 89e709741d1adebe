/*
 * snapshot.h - the in-memory model of one decoded GTFS-Realtime feed.
 *
 * A snapshot owns one arena: the protobuf is decoded into it and the model
 * (plain structs, strings pointing into the decoded message) is built in the
 * same arena, so dropping a snapshot is one reset.  The poller keeps, per
 * city and feed, the last good snapshot and a spare one to decode into; a
 * decode that fails leaves the good one untouched.
 *
 * Optional numbers carry has_* flags or -1 for "unset" (enums, directions).
 * Enum values are the GTFS-RT numbers; mtw_rt_enum_name() names them.
 * Consumers (publisher, scoring) read snapshots and never modify them.
 */
#ifndef MTW_SNAPSHOT_H
#define MTW_SNAPSHOT_H

#include "util/arena.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MTW_FEED_VEHICLES = 0,
    MTW_FEED_TRIPS,
    MTW_FEED_ALERTS,
    MTW_FEED_KINDS
} mtw_feed_kind;

/* "vehicles", "trips", "alerts" (the reference's key suffixes) */
const char *mtw_feed_kind_name(mtw_feed_kind kind);

typedef struct {
    const char *trip_id;        /* NULL when absent */
    const char *route_id;
    const char *start_date;     /* YYYYMMDD */
    const char *start_time;     /* HH:MM:SS, may pass 24:00 */
    int         direction_id;   /* 0, 1, or -1 unset */
    int         rel;            /* TripDescriptor.ScheduleRelationship */
} mtw_rt_trip_ref;

/* Stop-time events are the bulk of a big feed (60,000 in Auckland's): kept
 * small so building the model stays a fraction of the decode. */
typedef struct {
    int64_t        time;            /* unix seconds */
    int32_t        delay;           /* seconds, + late */
    int32_t        uncertainty;
    unsigned char  present;         /* the StopTimeEvent message exists */
    unsigned char  has_time;
    unsigned char  has_delay;
    unsigned char  has_uncertainty;
} mtw_rt_event;

typedef struct {
    const char    *stop_id;
    uint32_t       seq;
    unsigned char  has_seq;
    signed char    rel;             /* StopTimeUpdate.ScheduleRelationship */
    signed char    departure_occupancy; /* OccupancyStatus or -1 */
    mtw_rt_event   arr;
    mtw_rt_event   dep;
} mtw_rt_stop_time;

typedef struct {
    const char      *entity_id;
    const char      *vehicle_id;    /* VehicleDescriptor.id, else entity id */
    const char      *label;
    int              has_trip;      /* a TripDescriptor is present */
    mtw_rt_trip_ref  trip;
    int              has_position;
    double           lat, lon;
    int              has_bearing, has_speed, has_odometer;
    double           bearing;       /* degrees */
    double           speed;         /* m/s */
    double           odometer;      /* m */
    int64_t          ts;            /* vehicle timestamp, else header ts */
    const char      *stop_id;
    int              has_stop_seq;
    uint32_t         stop_seq;
    int              stop_status;   /* VehicleStopStatus or -1 */
    int              congestion;    /* CongestionLevel or -1 */
    int              occupancy;     /* OccupancyStatus or -1 */
    int              occupancy_pct; /* 0..100+, or -1 */
} mtw_rt_vehicle;

typedef struct {
    const char       *entity_id;
    mtw_rt_trip_ref   trip;
    const char       *vehicle_id;   /* NULL when the update names none */
    const char       *vehicle_label;
    int               has_ts;
    int64_t           ts;
    int               has_delay;
    int32_t           delay;        /* trip-level delay, seconds */
    mtw_rt_stop_time *stops;
    size_t            n_stops;
} mtw_rt_trip_update;

typedef struct {
    const char *lang;           /* NULL when untagged */
    const char *text;
} mtw_rt_text;

typedef struct {
    mtw_rt_text *v;
    size_t       n;
} mtw_rt_texts;

typedef struct {
    const char *agency_id, *route_id, *trip_id, *stop_id;
    int         route_type;     /* -1 unset */
    int         direction_id;   /* -1 unset */
} mtw_rt_informed;

typedef struct {
    int64_t start, end;         /* 0: open */
} mtw_rt_period;

typedef struct {
    const char      *entity_id;
    int              cause;     /* Alert.Cause (default UNKNOWN_CAUSE) */
    int              effect;    /* Alert.Effect (default UNKNOWN_EFFECT) */
    int              severity;  /* Alert.SeverityLevel */
    mtw_rt_period   *periods;
    size_t           n_periods;
    mtw_rt_informed *informed;
    size_t           n_informed;
    mtw_rt_texts     header, description, url;
} mtw_rt_alert;

typedef struct {
    mtw_feed_kind       kind;
    int                 valid;      /* holds a decoded feed */
    int64_t             header_ts;  /* FeedHeader.timestamp, else received */
    int                 header_has_ts;
    int64_t             received_at;/* "now" when it was fetched */
    const char         *version;
    int                 incrementality;
    size_t              n_entities; /* all entities in the message */
    size_t              body_bytes;
    long                max_entities;   /* refused past it (before unpack) */
    mtw_rt_vehicle     *vehicles;
    size_t              n_vehicles;
    mtw_rt_trip_update *trips;
    size_t              n_trips;
    mtw_rt_alert       *alerts;
    size_t              n_alerts;
    mtw_arena           arena;
} mtw_snapshot;

/*
 * Memory a hostile feed can make the worker spend: at most max_entities
 * entities (MTW_RT_MAX_ENTITIES), counted on the wire before unpacking, and
 * at most MTW_SNAPSHOT_ARENA_PER_BYTE bytes of decoded structures per byte
 * of body (plus 1 MiB), never more than MTW_SNAPSHOT_ARENA_MAX.  The real
 * feeds decode to about 12 bytes per body byte (Auckland's 2.49 MB
 * TripUpdates to 31 MB).
 */
#define MTW_SNAPSHOT_MAX_ENTITIES   100000
#define MTW_SNAPSHOT_ARENA_PER_BYTE 32
#define MTW_SNAPSHOT_ARENA_MAX      ((size_t) 512 * 1024 * 1024)

void mtw_snapshot_init(mtw_snapshot *s, mtw_feed_kind kind);
void mtw_snapshot_free(mtw_snapshot *s);

/*
 * Decodes a FeedMessage from data into s (replacing what s held) and builds
 * the model.  received_at is "now" (header timestamp fallback).  Returns 0,
 * or -1 with s invalid and a one-line reason in err.
 */
int mtw_snapshot_decode(mtw_snapshot *s, const uint8_t *data, size_t len,
                        int64_t received_at, char *err, size_t errlen);

/* Count of the entities of the snapshot's own kind. */
size_t mtw_snapshot_count(const mtw_snapshot *s);

/* The TripUpdate for trip_id, or NULL (linear; trips are a few thousand). */
const mtw_rt_trip_update *mtw_snapshot_find_trip(const mtw_snapshot *s,
                                                 const char *trip_id);

/*
 * Name of a GTFS-RT enum value: which is one of "trip_rel", "stop_rel",
 * "stop_status", "congestion", "occupancy", "cause", "effect", "severity".
 * NULL for -1 or an unknown value.
 */
const char *mtw_rt_enum_name(const char *which, int value);

#endif
