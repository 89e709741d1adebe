/*
 * redis_conn.h - the worker's (blocking, short-timeout) Redis connection.
 *
 * The worker talks to Redis synchronously with hiredis, with short connect
 * and I/O timeouts so an unavailable Redis costs one failed attempt per
 * retry period, never a stalled poller.  mtw_redis_get() connects lazily
 * (with backoff between attempts); any I/O error drops the connection and
 * the next call reconnects.
 */
#ifndef MTW_REDIS_CONN_H
#define MTW_REDIS_CONN_H

#include "store/redis_url.h"

#include "store/redis_link.h"
#include <stdint.h>

typedef struct {
    mtw_redis_addr  addr;
    mtw_redis_link   *ctx;
    int             timeout_ms;
    int64_t         retry_at_ms;    /* no connect attempt before this */
    int             retry_ms;       /* current backoff, doubles to a cap */
    int             was_up;         /* for logging transitions only */
    unsigned long   connects;       /* connections made: a new one may be
                                     * to a Redis that lost everything */
} mtw_redis;

void mtw_redis_init(mtw_redis *r, const mtw_redis_addr *addr, int timeout_ms);
void mtw_redis_close(mtw_redis *r);

/* A connected context, or NULL when Redis is unavailable right now. */
mtw_redis_link *mtw_redis_get(mtw_redis *r, int64_t now_ms);

/* Call after an I/O error on the context: closes it, logs once. */
void mtw_redis_fail(mtw_redis *r, const char *what);

/*
 * Reads n pending replies of a pipeline.  Returns the number of error
 * replies, or -1 on an I/O error (the connection is then closed).  When
 * last is not NULL it receives the last reply (caller frees).
 */
int mtw_redis_drain(mtw_redis *r, int n, redisReply **last);

#endif
