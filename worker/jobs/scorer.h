/*
 * scorer.h - scoring inside `mtw-worker run`: the tick hook.
 *
 * The run loop publishes each city's live state in one MULTI/EXEC after
 * every poll and calls this hook inside that transaction.  For each city
 * the hook keeps the service day's schedule (loaded from PostgreSQL once
 * per service day and again when city.gtfs_version changes, i.e. after a
 * re-import), turns the last good snapshots into the scoring model, runs
 * the tick and appends the documents to the transaction: the live ones
 * (realtime, predictions:{stop}, route:{id}:activity, route:{id}:live)
 * every time, the score ones (score, routes, route:{id}, every live page,
 * overview) every MTW_SCORE_SEC; stops, route:{id}:stops, cities and the
 * stop search keys (stop, stop:search, geo:stops) when the schedule is
 * (re)loaded and hourly.  Without a database, or for a
 * city that has no schedule yet, it still scores what the feeds alone
 * allow (headways from TripUpdates).  For a city with a schedule, each
 * tick also goes to the history (jobs/history.h: arrival_log,
 * bunching_incident, yesterday's route_performance_daily, after which the
 * 30-day history is reloaded).  Riders' votes are read back from Redis
 * every few seconds after a publish and shown on the next tick's vehicles
 * and predictions.
 */
#ifndef MTW_JOBS_SCORER_H
#define MTW_JOBS_SCORER_H

#include "config.h"
#include "docs/docs.h"
#include "jobs/history.h"
#include "jobs/votes.h"
#include "jobs/doc_memo.h"
#include "jobs/ingest.h"
#include "jobs/publish.h"
#include "jobs/publish_rt.h"
#include "score/tick.h"
#include "store/schedule_pg.h"

#include <libpq-fe.h>

#define MTW_SCORER_MAX_CITIES 64

typedef struct {
    char slug[MTW_CITY_SLUG_MAX + 1];
    int have_row;                   /* the city is in the city table */
    int said_no_city;               /* logged that it is not, once */
    mtw_city_row row;
    mtw_schedule *sched;            /* NULL until loaded */
    mtw_schedule *empty;            /* stand-in without a timetable */
    mtw_history *hist;
    uint64_t hist_loads;            /* counts the loads of hist (never 0
                                       once loaded): the inputs of the
                                       documents made of it */
    mtw_shape_set shapes;           /* the routes' shapes, for the maps */
    int service_date;               /* calendar of the loaded schedule */
    int run_date;                   /* clock date it is placed on */
    int gtfs_version;               /* of the loaded schedule */
    int64_t checked_at;             /* last gtfs_version / date check */
    int64_t scored_at;              /* last score documents */
    int64_t scored_vts, scored_tts; /* the vehicles' and trip updates'
                                     * headers they were built from */
    int64_t stops_at;               /* stops + cities last published */
    unsigned long static_conn;      /* ... on this Redis connection */
    mtw_publisher marks;            /* live docs written last time */
    mtw_doc_memo memo;              /* the documents Redis holds */
    mtw_doc_bufs bufs;              /* kept from tick to tick */
    mtw_tick_room room;             /* the same for the tick's own */
    mtw_histlog log;                /* arrivals, bunching, daily (history.h) */
    mtw_votes votes;                /* votes archive (votes.h) */
    /* riders' votes as the documents show them (feedback on vehicles,
     * feedback_summary on predictions), read from the module's counters
     * every MTW_FEEDBACK_READ_SEC outside the publish transaction */
    mtw_vote_count *vote_counts;
    mtw_feedback *feedback;         /* by vehicle id (strcmp) */
    size_t nfeedback;
    int feedback_read;              /* read once: documents carry votes */
    int64_t feedback_at;            /* wall seconds of the last read */
} mtw_scorer_city;

#define MTW_FEEDBACK_READ_SEC 10

typedef struct {
    const mtw_config *cfg;
    mtw_score_params params;
    PGconn *pg;                     /* NULL: no database, or it failed */
    int64_t pg_retry_at;
    mtw_scorer_city city[MTW_SCORER_MAX_CITIES];
    int ncity;
    double last_tick_ms;            /* CPU of the last hook call */
} mtw_scorer;

void mtw_scorer_init(mtw_scorer *s, const mtw_config *cfg);
void mtw_scorer_free(mtw_scorer *s);

/* The mtw_tick_hook of the run loop (ud = the scorer). */
void mtw_scorer_hook(void *ud, const mtw_city *city, mtw_redis_tx *tx,
                     int64_t now);

/*
 * Outside the publish transaction, with a synchronous Redis context: the
 * check that Redis still holds the documents the tick did not write again
 * (jobs/doc_memo.h), and the votes archive of the city (jobs/votes.h),
 * when it is due.
 */
void mtw_scorer_votes(mtw_scorer *s, mtw_redis_link *rc, const char *slug,
                      int64_t wall);

/* When this worker takes a city's lease: the history rows the previous
 * holder left waiting for PostgreSQL (jobs/history.h). */
void mtw_scorer_recover(mtw_scorer *s, mtw_redis_link *rc, const char *slug);

#endif
