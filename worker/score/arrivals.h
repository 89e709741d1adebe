/*
 * arrivals.h - history from consecutive live snapshots, as pure logic:
 * each vehicle's real arrivals at stops and bunching episodes (the day's
 * aggregate of them is score/day.h).
 *
 * Arrival rule (docs/scoring.md, "History"): a vehicle matched to a trip
 * instance of the schedule arrives at the stop of current_stop_sequence S
 *  - when it reports STOPPED_AT S: at the position's timestamp;
 *  - when, heading to stop P in the previous snapshot (IN_TRANSIT_TO,
 *    INCOMING_AT or no status), it now heads to or stands at S > P on the
 *    same trip run: every stop of sequence P <= s < S was passed between the
 *    two positions, at their midpoint in time (error <= half a poll).
 * A vehicle whose position has no current_stop_sequence (most small
 * agencies' feeds, Saskatoon's own) arrives from its located progress
 * along the trip's stops instead: a stop whose distance lies between the
 * farthest point reached on the run and the new position was passed, at
 * the time interpolated by the schedule's running times between the two
 * points (position_step in arrivals.c: GPS jitter, dwells, detours and the
 * layover at the first stop).  The row says which
 * rule found it (source).
 * Each (trip run, stop sequence) is reported once per vehicle: the detector
 * remembers the highest sequence it reported for the vehicle's trip run.
 * Runs no vehicle is matched to arrive from their TripUpdates instead
 * (score/tu_arrivals.h); a run a vehicle takes over from them starts after
 * what they reported (mtw_arrivals_after).
 *
 * Bunching episode: a route-direction whose tick found bunched headways
 * (< 25 % of scheduled, metrics.h) opens an episode, reported once; it
 * stays open while the following ticks still find bunching, and closes on
 * the first tick that scores the route-direction without it (or without
 * it at all).  An episode of a route-direction the detector had never
 * seen scored before (since the worker started) is marked resumable: it
 * may have begun before a restart, so the writer skips it when it
 * continues an incident of the route-direction recorded in the last
 * MTW_BUNCH_RESUME_SEC.
 *
 * Pending queue: what was detected but not yet committed to the database
 * (down, restarting) waits in an mtw_histq, with its own copies of every
 * string, until a write commits; it is bounded, dropping the oldest.
 */
#ifndef MTW_SCORE_ARRIVALS_H
#define MTW_SCORE_ARRIVALS_H

#include "score/metrics.h"
#include "score/tick.h"

#include <stddef.h>
#include <stdint.h>

/* which rule found an arrival (arrival_log.source); the last two are not
 * arrivals but the feed's word that a trip run will not run or will not
 * stop (score/exceptions.h): they share the arrivals' queue, mirror and
 * writer, which stores them in service_exception */
typedef enum {
    MTW_ARR_STOP_SEQUENCE = 0,  /* the feed's current_stop_sequence */
    MTW_ARR_POSITION,           /* the position along the trip's stops */
    MTW_ARR_TRIP_UPDATE,        /* a run's TripUpdate alone (no vehicle
                                 * matched to it): score/tu_arrivals.h */
    MTW_ARR_CANCELED,           /* TripDescriptor CANCELED: the trip run */
    MTW_ARR_SKIPPED             /* StopTimeUpdate SKIPPED: one stop */
} mtw_arrival_source;

/* "stop_sequence", "position", "trip_update", "canceled", "skipped" */
const char *mtw_arrival_source_str(mtw_arrival_source s);
/* The source named s; MTW_ARR_STOP_SEQUENCE for NULL or an unknown name
 * (rows mirrored before sources were told apart). */
mtw_arrival_source mtw_arrival_source_parse(const char *s);

/* a reported exception, not an arrival */
#define MTW_ARR_IS_EXCEPTION(src) \
    ((src) == MTW_ARR_CANCELED || (src) == MTW_ARR_SKIPPED)

typedef struct {
    const char *route_id, *trip_id;
    const char *stop_id;        /* "" for a cancelled run */
    const char *vehicle_id;     /* "" when an exception names none */
    int service_date;           /* YYYYMMDD of the trip run */
    int32_t trip_start;         /* run's first departure, s after base */
    int direction;              /* 0, 1, -1 unknown */
    int32_t seq;                /* stop_sequence; -1 a cancelled run */
    int64_t scheduled_at;       /* epoch; 0 when the row has no time (a
                                 * cancelled run: its first departure) */
    int64_t arrived_at;         /* epoch (an exception: first reported) */
    int has_delay;
    int delay;                  /* arrived - scheduled, + late */
    mtw_arrival_source source;
} mtw_arrival;

/* Fills a with the arrival of trip's pattern row at "at" (epoch), by
 * vehicle vid, found by rule source (strings point into s and vid). */
void mtw_arrival_set(mtw_arrival *a, const mtw_schedule *s,
                     const mtw_trip *trip, const mtw_stop_time *row,
                     const char *vid, int64_t at, mtw_arrival_source source);

typedef struct mtw_arrivals mtw_arrivals;

mtw_arrivals *mtw_arrivals_create(void);
void mtw_arrivals_free(mtw_arrivals *d);

/*
 * A run a vehicle takes over from the trip-update rules (a bus appearing
 * on a run only its TripUpdate told of) starts after the stops they
 * reported: d's steps read tu's memory (NULL: none).  Call the vehicle
 * step before tu's own step of the same tick.
 */
typedef struct mtw_tu_arrivals mtw_tu_arrivals;
void mtw_arrivals_after(mtw_arrivals *d, const mtw_tu_arrivals *tu);

/*
 * One step: compares tick t's vehicles with the previous step's and sets
 * *out to the arrivals detected (owned by d, valid until the next step;
 * strings point into t's schedule and live state, and into d).  Returns
 * their count, or -1 when out of memory (the memory is then kept as it
 * was).
 */
long mtw_arrivals_step(mtw_arrivals *d, const mtw_tick *t,
                       const mtw_arrival **out);

typedef struct {
    const char *route_id;
    int direction;
    const char *stop_id;        /* where the headways were measured */
    int64_t detected_at;
    int service_date;           /* schedule run date */
    int headway;                /* the smallest observed headway */
    int scheduled;
    int nvehicles;
    const char **vehicle_ids;   /* the route-direction's vehicles */
    int resumable;              /* its route-direction's first scoring since
                                 * start: may continue a recorded episode */
} mtw_bunching;

typedef struct mtw_bunch_state mtw_bunch_state;

mtw_bunch_state *mtw_bunch_state_create(void);
void mtw_bunch_state_free(mtw_bunch_state *b);

/* New episodes of tick t into *out (owned by b, valid until the next
 * step).  Count, or -1 when out of memory. */
long mtw_bunching_step(mtw_bunch_state *b, const mtw_tick *t,
                       const mtw_bunching **out);

/* an incident this recent of the same route-direction is the episode a
 * restarted worker finds still in progress */
#define MTW_BUNCH_RESUME_SEC 1800

/* ---- rows waiting for a commit ------------------------------------------ */

#define MTW_HISTQ_MAX_ARRIVALS 50000    /* hours of a large city's arrivals */
#define MTW_HISTQ_MAX_BUNCHING 2000

typedef struct mtw_histq mtw_histq;

/* A queue holding at most max_arr arrivals and max_bun incidents. */
mtw_histq *mtw_histq_create(size_t max_arr, size_t max_bun);
void mtw_histq_free(mtw_histq *q);

/*
 * Appends copies of n rows (strings included), after the rows already
 * queued.  Returns how many of the oldest rows were dropped to stay within
 * the cap (0 normally), or -1 when out of memory (nothing appended).
 */
long mtw_histq_add_arrivals(mtw_histq *q, const mtw_arrival *a, size_t n);
long mtw_histq_add_bunching(mtw_histq *q, const mtw_bunching *b, size_t n);

/* The queued rows, oldest first (owned by q, valid until the next call
 * that changes q). */
const mtw_arrival *mtw_histq_arrivals(const mtw_histq *q, size_t *n);
const mtw_bunching *mtw_histq_bunching(const mtw_histq *q, size_t *n);

/* The first n rows were committed: removes them. */
void mtw_histq_done_arrivals(mtw_histq *q, size_t n);
void mtw_histq_done_bunching(mtw_histq *q, size_t n);

#endif
