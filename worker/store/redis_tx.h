/*
 * redis_tx.h - commands queued into one Redis transaction (MULTI/EXEC).
 *
 * The wire side of a city's publish: the caller sends MULTI, queues
 * commands with these helpers, sends EXEC and reads tx.n replies with
 * mtw_redis_drain() (store/redis_conn.h).  Argument text lives in a
 * scratch arena reset per publish.
 */
#ifndef MTW_REDIS_TX_H
#define MTW_REDIS_TX_H

#include "util/arena.h"

#include "store/redis_link.h"
#include <stddef.h>

/* Commands being queued into one transaction. */
typedef struct {
    mtw_redis_link *c;
    int           n;        /* replies to read, MULTI and EXEC included */
    mtw_arena    *scratch;  /* argument text, reset per publish */
    unsigned long conn;     /* mtw_redis.connects of this connection */
} mtw_redis_tx;

/* Queued commands are written once they reach this many bytes. */
#define MTW_REDIS_TX_FLUSH_BYTES (256 * 1024)

/* Queues one command (argument lengths from strlen when lens is NULL). */
void mtw_redis_tx_cmd(mtw_redis_tx *tx, int argc, const char **argv,
                      const size_t *lens);
/* The same with a last argument made of nparts pieces, sent from where
 * they are (store/redis_link.h). */
void mtw_redis_tx_cmd_parts(mtw_redis_tx *tx, int argc, const char **argv,
                            const size_t *lens, int nparts,
                            const char **part, const size_t *partlen);
/* printf into the scratch arena (for keys and numbers). */
const char *mtw_redis_tx_fmt(mtw_redis_tx *tx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
