/*
 * votes.h - riders' votes outlive the cache.
 *
 * The module counts votes in Redis (mtw:{city}:feedback:{vehicle}), which
 * production runs without snapshots: a replaced cache node would lose them
 * all.  The lease holder of each city copies the counters to PostgreSQL
 * (feedback_archive) every MTW_FEEDBACK_ARCHIVE_SEC and once more under
 * the old date when the service day changes, and puts them back into a
 * Redis that lost them.
 *
 * How a lost Redis is told from a quiet one: the worker keeps a marker,
 * mtw:{city}:feedback-epoch, beside the counters.  No marker means Redis
 * lost its data (or never had any): the archived counts of the service
 * day are added back (HINCRBY, so votes cast since the loss stay counted),
 * then the marker is set.  A restart of the worker finds the marker and
 * restores nothing, so nothing is counted twice.
 */
#ifndef MTW_JOBS_VOTES_H
#define MTW_JOBS_VOTES_H

#include "store/votes_pg.h"

#include "store/redis_link.h"
#include <libpq-fe.h>
#include <stdint.h>

typedef struct {
    int64_t next_at;    /* wall seconds of the next archive */
    int     ymd;        /* service day of the last archive (0: none yet) */
} mtw_votes;

/*
 * Restores the counters if Redis lost them, then archives them when due
 * (every every_sec, or at once when the service day ymd changed).  Errors
 * are logged; the next call retries.  rc and pg may be NULL (no-op).
 */
void mtw_votes_tick(mtw_votes *v, mtw_redis_link *rc, PGconn *pg, int city_id,
                    const char *slug, int ymd, int every_sec, int64_t wall);

/* The city's counters in Redis into *out (caller frees); count or -1. */
long mtw_votes_read(mtw_redis_link *rc, const char *slug,
                    mtw_vote_count **out);

#endif
