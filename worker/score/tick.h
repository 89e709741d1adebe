/*
 * tick.h - one scoring tick: schedule + live state + now -> results.
 *
 * mtw_tick_run() is a pure function of its inputs (no clock, no I/O): it
 * matches vehicles to trip instances and locates them along their trip
 * (vehicle.c), derives each vehicle's delay and status, measures observed
 * and scheduled headways and the metrics per route and direction
 * (headway.c), and predicts arrivals at every stop with an upcoming vehicle
 * (predict.c).  The document builders (docs/docs.h) turn the result into
 * JSON.
 */
#ifndef MTW_SCORE_TICK_H
#define MTW_SCORE_TICK_H

#include "score/live.h"
#include "score/metrics.h"
#include "score/schedule.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    mtw_otp_window otp;         /* on-time window, default 60 s / 300 s */
    int pred_limit;             /* predictions kept per stop; 0 = all (the
                                 * module filters by route, then limits) */
    int pred_horizon_sec;       /* predict up to now + this, default 5400 */
    double max_off_route_m;     /* farther from the trip: not located (600) */
} mtw_score_params;

void mtw_score_params_default(mtw_score_params *p);

/* where a vehicle's delay came from */
typedef enum {
    MTW_DELAY_NONE = 0,
    MTW_DELAY_TU,               /* a TripUpdate stop event's delay field */
    MTW_DELAY_TU_TIME,          /* TripUpdate time vs the static schedule */
    MTW_DELAY_PROGRESS          /* position along the trip vs schedule */
} mtw_delay_source;

const char *mtw_delay_source_str(mtw_delay_source s);

typedef struct {
    long trip;                  /* schedule trip instance, -1 */
    long route;                 /* schedule route, -1 (unknown route id) */
    const char *route_id;       /* vehicle's, else its trip's */
    int direction;              /* resolved: vehicle, trip, TU; -1 */
    const mtw_trip_update *tu;  /* the trip's update, or NULL */

    /* location along the trip's stops (has_progress) */
    int has_progress;
    uint32_t seg;               /* pattern row starting the segment */
    double frac;                /* position inside the segment */
    double dist;                /* metres from the first stop */
    double off_route_m;
    double sched_at;            /* scheduled time there, in the pattern's
                                 * times (+ the trip's shift: s after base) */
    uint32_t next_row;          /* first pattern row ahead of the vehicle */

    int has_delay;
    int delay;                  /* + late */
    mtw_delay_source delay_source;
    mtw_status_class status;    /* valid when has_delay */
    int has_reason;
    char reason[96];

    long next_pred;             /* first prediction of this vehicle, -1 */
} mtw_vstate;

typedef enum {
    MTW_HW_NONE = 0,
    MTW_HW_TRIP_UPDATES,        /* predicted arrivals at a shared stop */
    MTW_HW_PROGRESS,            /* each vehicle's progress along its trip */
    MTW_HW_POSITIONS            /* positions on the route's typical trip */
} mtw_hw_source;

const char *mtw_hw_source_str(mtw_hw_source s);

#define MTW_MAX_HEADWAYS 128
#define MTW_MAX_SCHED_GAPS 32

typedef struct {
    const char *route_id;
    long route;                 /* schedule route or -1 */
    int direction;              /* 0, 1, -1 unknown */
    int vehicles;
    uint32_t *members;          /* vehicle indexes */
    const mtw_trip_update **extra_tus;  /* same route and direction, no */
    int nextra;                         /* vehicle: the trips coming next */

    mtw_hw_source source;
    long ref_stop;              /* stop where headways were measured, -1 */
    int nh;
    int headways[MTW_MAX_HEADWAYS];
    int observed;               /* median headway, -1 null */

    int scheduled;              /* scheduled headway, -1 null */
    int nsched;
    int sched_gaps[MTW_MAX_SCHED_GAPS];

    int has_cv;
    double cv;
    mtw_los los;
    int has_ewt;
    double ewt;
    double bunched, gapped;     /* shares, -1 null */
    int n_bunched, n_gapped;
    int otp_n;                  /* vehicles with a delay */
    double otp;                 /* on-time share, -1 null */
    mtw_regime regime;

    int has_delay, delay;       /* the single vehicle's delay */
    mtw_grade grade;
    mtw_confidence confidence;
} mtw_group_score;

typedef enum {
    MTW_PRED_REALTIME = 0,      /* a TripUpdate time for this stop: high */
    MTW_PRED_PROPAGATED,        /* an earlier stop's TripUpdate delay */
    MTW_PRED_PROGRESS,          /* the vehicle's position and schedule */
    MTW_PRED_SCHEDULED          /* the timetable only: low */
} mtw_pred_source;

const char *mtw_pred_source_str(mtw_pred_source s);

typedef struct {
    uint32_t stop;              /* schedule stop */
    long vehicle;               /* live vehicle, -1 for a TripUpdate alone */
    long trip;                  /* schedule trip, -1 */
    const mtw_trip_update *tu;
    const char *route_id, *trip_id;
    int64_t arrival_at;
    int64_t scheduled_at;       /* 0 when the stop has no static time */
    mtw_confidence confidence;
    mtw_pred_source source;
    int stops_away;             /* -1 null */
    int row;                    /* the stop's row in the trip (its index
                                 * among the trip's stop times), -1: a
                                 * TripUpdate's stop alone */
} mtw_prediction;

/*
 * What a caller that runs a tick every few seconds keeps from one tick to
 * the next: the last tick's arena and predictions buffers, so the next
 * tick writes into pages already mapped instead of faulting in fresh ones
 * (a x20 peak has 6 MB of predictions, twice while sorting them).  Zeroed
 * to start; one tick at a time uses it.
 */
typedef struct {
    mtw_arena *arena;
    mtw_prediction *preds, *spare;
    size_t cap_preds, cap_spare;
} mtw_tick_room;

void mtw_tick_room_free(mtw_tick_room *r);

typedef struct {
    mtw_arena *arena;
    mtw_tick_room *room;        /* where the buffers go back; NULL: freed */
    int64_t now;
    const mtw_schedule *s;
    const mtw_live *l;

    mtw_vstate *vs;             /* one per live vehicle */
    size_t nv;
    /* per live trip update, looked up once for the steps that need it */
    uint8_t *tu_alone;          /* 1: not canceled, with a trip id that
                                 * no vehicle's update names */
    long *tu_trip;              /* an alone one's trip near now, -1 */
    long *tu_run;               /* the run its start date and time name
                                 * (mtw_schedule_find_run), -1 */
    mtw_group_score *groups;    /* sorted by route id, direction */
    size_t ngroups;
    mtw_prediction *preds;      /* sorted by stop, then arrival */
    size_t npreds, cap_preds;
    mtw_prediction *spare;      /* the sort's other buffer */
    size_t cap_spare;
    uint32_t *stop_first;       /* per schedule stop: first prediction */
    uint32_t *stop_count;
} mtw_tick;

/* Runs one tick.  NULL when out of memory. */
mtw_tick *mtw_tick_run(const mtw_schedule *s, const mtw_live *l,
                       int64_t now, const mtw_score_params *p);
/* The same in the buffers of room (NULL: its own), which get them back
 * when the tick is freed. */
mtw_tick *mtw_tick_run_in(mtw_tick_room *room, const mtw_schedule *s,
                          const mtw_live *l, int64_t now,
                          const mtw_score_params *p);
void mtw_tick_free(mtw_tick *t);

/* the parts, for the unit tests */
void mtw_vehicle_state(const mtw_schedule *s, const mtw_live *l,
                       const mtw_vehicle *v, int64_t now,
                       const mtw_score_params *p, mtw_vstate *out);
int mtw_tick_headways(mtw_tick *t, const mtw_score_params *p);
int mtw_tick_predict(mtw_tick *t, const mtw_score_params *p);

/*
 * Locates (lat, lon) at time ts along trip t: fills has_progress, seg,
 * frac, dist, off_route_m, sched_at, next_row.  hint_seq (-1 none) and
 * hint_status come from the VehiclePosition.  Exposed for tests.
 */
void mtw_locate(const mtw_schedule *s, const mtw_trip *t, double lat,
                double lon, int64_t ts, int32_t hint_seq, int hint_status,
                double max_off_m, mtw_vstate *out);

#endif
