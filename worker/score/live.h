/*
 * live.h - the realtime state of one city: vehicles, trip updates, alerts.
 *
 * Filled from the last decoded GTFS-Realtime snapshots (feed/) by the run
 * loop, or by hand in tests.  Absent optional fields are flagged, never
 * guessed.  Times are epoch seconds.
 */
#ifndef MTW_SCORE_LIVE_H
#define MTW_SCORE_LIVE_H

#include "util/arena.h"
#include "util/sort.h"
#include "score/idmap.h"

#include <stddef.h>
#include <stdint.h>

/* VehiclePosition.current_status */
enum {
    MTW_VS_UNKNOWN = -1,
    MTW_VS_INCOMING_AT = 0,
    MTW_VS_STOPPED_AT = 1,
    MTW_VS_IN_TRANSIT_TO = 2
};

typedef struct {
    const char *id;             /* vehicle.vehicle.id, else entity id */
    const char *label;
    const char *trip_id, *route_id;
    const char *start_date;     /* YYYYMMDD as in the feed, or NULL */
    const char *start_time;     /* HH:MM:SS, or NULL */
    int direction;              /* 0, 1, -1 unknown */
    int has_pos;
    double lat, lon;
    double bearing, speed;      /* NaN when absent; speed m/s */
    int64_t ts;                 /* vehicle timestamp, else feed header */
    int stop_status;            /* MTW_VS_* */
    int32_t current_seq;        /* -1 when absent */
    const char *stop_id;        /* current/next stop, or NULL */
    int occupancy;              /* OccupancyStatus, -1 when absent */
} mtw_vehicle;

typedef struct {
    const char *stop_id;
    int32_t seq;                /* -1 when absent */
    int64_t arr, dep;           /* 0 when absent */
    int32_t arr_delay, dep_delay;
    uint8_t has_arr_delay, has_dep_delay;
    int rel;                    /* 0 SCHEDULED, 1 SKIPPED, 2 NO_DATA */
} mtw_stop_event;

typedef struct {
    const char *trip_id, *route_id, *vehicle_id;
    const char *start_date, *start_time;
    int direction;
    int rel;                    /* TripDescriptor schedule_relationship */
    int64_t ts;
    int32_t delay;              /* TripUpdate.delay */
    uint8_t has_delay;
    uint32_t ev_first, ev_count;
} mtw_trip_update;

typedef struct {
    int cause, effect;
    const char *header, *description;
    const char *route_id, *stop_id;   /* first informed entity, or NULL */
} mtw_alert;

typedef struct {
    mtw_arena *arena;
    int64_t vehicles_ts, trips_ts, alerts_ts;   /* feed header times */
    mtw_vehicle *vehicles;      size_t nvehicles, cap_vehicles;
    mtw_trip_update *tus;       size_t ntus, cap_tus;
    mtw_stop_event *events;     size_t nevents, cap_events;
    mtw_alert *alerts;          size_t nalerts, cap_alerts;
    mtw_idmap tu_by_trip;       /* built by mtw_live_index */
} mtw_live;

mtw_live *mtw_live_create(void);
void mtw_live_free(mtw_live *l);

/* The add functions copy strings; they return the new element or NULL. */
mtw_vehicle *mtw_live_add_vehicle(mtw_live *l, const char *id,
                                  const char *trip_id, const char *route_id);
mtw_trip_update *mtw_live_add_tu(mtw_live *l, const char *trip_id,
                                 const char *route_id);
/* Appends a stop event to the last trip update added. */
mtw_stop_event *mtw_live_add_event(mtw_live *l, const char *stop_id);
mtw_alert *mtw_live_add_alert(mtw_live *l);

/* Copies a string into the snapshot's arena (for optional fields). */
const char *mtw_live_str(mtw_live *l, const char *s);

/* Builds the trip id index; call once after the adds.  0 or -1. */
int mtw_live_index(mtw_live *l);

/* The trip update of trip_id, or NULL. */
const mtw_trip_update *mtw_live_tu(const mtw_live *l, const char *trip_id);

/* Newest feed time of the snapshot (0 when empty). */
int64_t mtw_live_ts(const mtw_live *l);

#endif
