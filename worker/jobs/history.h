/*
 * history.h - the history a running worker keeps, per city: each tick's
 * detected arrivals into arrival_log, the cancellations and skipped stops
 * its trip updates report into service_exception (score/exceptions.h) and
 * new bunching episodes into bunching_incident (score/arrivals.h decides,
 * store/history_pg.h writes),
 * and once per service day the previous day's route_performance_daily
 * aggregate when it is missing.  Called from the scoring hook
 * (jobs/scorer.c) with the tick it just ran.
 *
 * Nothing detected is lost to a database outage: rows wait in a bounded
 * queue (score/arrivals.h, mtw_histq) until a write commits.  The queue is
 * mirrored into Redis (mtw:{city}:history:pending, written in the tick's
 * own MULTI/EXEC, so it is exactly what this tick left uncommitted), so a
 * worker killed during the outage leaves its rows to the next holder of
 * the city's lease, which reads them back (mtw_histlog_recover) and writes
 * them once PostgreSQL is back; rows the queue's cap dropped are counted
 * in mtw:{city}:history:dropped.  A broken
 * connection is re-established here without blocking (PQresetStart /
 * PQresetPoll, one step per tick), retried with a backoff doubling from
 * 1 s to 30 s.
 */
#ifndef MTW_JOBS_HISTORY_H
#define MTW_JOBS_HISTORY_H

#include "score/arrivals.h"
#include "score/exceptions.h"
#include "score/tu_arrivals.h"
#include "score/tick.h"
#include "store/redis_tx.h"

#include "store/redis_link.h"
#include <libpq-fe.h>
#include <stddef.h>

typedef struct {
    mtw_arrivals *arrivals;         /* NULL until the first tick */
    mtw_bunch_state *bunching;
    mtw_tu_arrivals *tu_arrivals;   /* runs no vehicle is matched to */
    mtw_exceptions *exceptions;     /* cancellations, skipped stops */
    mtw_histq *pending;             /* detected, not yet committed */
    int resetting;                  /* a non-blocking reconnect is on */
    PostgresPollingStatusType reset_wait;   /* what it waits for */
    double retry_at_ms;             /* monotonic: next reconnect attempt */
    double backoff_ms;              /* its current delay */
    long dropped;                   /* rows lost to the queue's cap */
    int aggregated_for;             /* run date whose yesterday was done */
    long logged, incidents;         /* rows inserted since start */
    double max_write_ms;            /* slowest tick's writes */
    int mirrored;                   /* Redis holds a non-empty mirror */
    long dropped_told;              /* drops already counted in Redis */
} mtw_histlog;

void mtw_histlog_free(mtw_histlog *h);

/*
 * One tick of city city_id: detects, queues, writes the queue (when pg is
 * usable; a broken pg is reset, without blocking, with backoff) and
 * aggregates yesterday when due.  Errors are logged, never fatal: the
 * poll loop goes on.  Returns 1 when it wrote a daily aggregate (the
 * 30-day history the documents read is then stale), else 0.
 */
int mtw_histlog_tick(mtw_histlog *h, PGconn *pg, int city_id,
                      const char *slug, const mtw_tick *t,
                      const mtw_otp_window *w);

/*
 * Inside the tick's transaction, after mtw_histlog_tick: replaces the
 * Redis mirror of the rows still waiting for PostgreSQL (nothing to send
 * while both are empty) and counts new drops.
 */
void mtw_histlog_mirror(mtw_histlog *h, mtw_redis_tx *tx, const char *slug);

/*
 * When this worker takes the city's lease: reads the mirror a previous
 * holder left and queues its rows (writes are idempotent, so a row both
 * recovered and detected again is logged once).  Returns the rows queued,
 * or -1 when Redis failed (rc->err says how).
 */
long mtw_histlog_recover(mtw_histlog *h, mtw_redis_link *rc, const char *slug);

/*
 * On demand (`run --aggregate DATE`): aggregates day ymd of city slug.
 * Returns the routes written, or -1 with err.
 */
long mtw_histlog_aggregate(const char *database_url, const char *slug,
                           int ymd, const mtw_otp_window *w, char *err,
                           size_t errlen);

#endif
