/*
 * publish_rt.h - publish one city's live state to Redis in one MULTI/EXEC.
 *
 * Keys (docs/redis-contract.md): the reference's trimmed snapshots
 * mtw:{city}:vehicles|trips|alerts and the rich ones
 * mtw:{city}:rt:vehicles|trips|alerts (hash ts, json, stale, age_sec;
 * TTL 180 s), the vehicle hash mtw:{city}:vehicle and GEO set
 * mtw:{city}:geo:vehicles (refreshed while the positions are at most 180 s
 * old, so a dead feed leaves no ghost buses), and the heartbeat.
 * Tick hooks (scoring, documents) append their commands to the same
 * transaction, so a reader never sees half a tick.
 */
#ifndef MTW_JOBS_PUBLISH_RT_H
#define MTW_JOBS_PUBLISH_RT_H

#include "util/arena.h"
#include "jobs/ingest.h"
#include "store/redis_conn.h"
#include "store/redis_tx.h"

#define MTW_RT_TTL_SEC 180

/* Called inside the transaction after the live state, with the city's
 * clock "now": scoring and document publishing plug in here. */
typedef void (*mtw_tick_hook)(void *ud, const mtw_city *city,
                              mtw_redis_tx *tx, int64_t now);

typedef struct {
    const char     *instance;       /* lease id, also in the heartbeat */
    const char     *host;
    long            poll_ms;
    mtw_tick_hook   hook;           /* may be NULL */
    void           *hook_ud;
} mtw_rt_publish_opts;

#define MTW_RT_LEASE_LOST (-2)

/*
 * Publishes the city's state, fenced by its lease: WATCH mtw:{city}:lease,
 * check it still holds this worker's instance, then MULTI ... EXEC, which
 * Redis aborts if the lease changed in between.  A worker stalled past its
 * lease (a slow PostgreSQL call, a paused VM) can therefore never
 * overwrite what the new holder published.  Returns 0; MTW_RT_LEASE_LOST
 * when the lease is another's (nothing written); -1 when Redis failed
 * (the connection is then closed; the caller retries on the next tick).
 */
int mtw_rt_publish(mtw_redis *r, mtw_city *city,
                   const mtw_rt_publish_opts *po, int64_t now,
                   int64_t wall_ts, mtw_arena *scratch, mtw_jbuf *buf);

#endif
