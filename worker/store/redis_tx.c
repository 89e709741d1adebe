/*
 * redis_tx.c - queueing commands into one transaction (see redis_tx.h).
 */
#include "store/redis_tx.h"

#include <stdarg.h>
#include <stdio.h>

void mtw_redis_tx_cmd(mtw_redis_tx *tx, int argc, const char **argv,
                      const size_t *lens)
{
    mtw_redis_tx_cmd_parts(tx, argc, argv, lens, 0, NULL, NULL);
}

void mtw_redis_tx_cmd_parts(mtw_redis_tx *tx, int argc, const char **argv,
                            const size_t *lens, int nparts,
                            const char **part, const size_t *partlen)
{
    mtw_redis_append_argv_parts(tx->c, argc, argv, lens, nparts, part,
                                partlen);
    tx->n++;
    /* written out as it is queued (Redis holds the commands until EXEC),
     * so the buffer never holds a whole tick: tens of MB at scale */
    if (tx->c->olen >= MTW_REDIS_TX_FLUSH_BYTES) {
        (void) mtw_redis_flush(tx->c);
    }
}

const char *mtw_redis_tx_fmt(mtw_redis_tx *tx, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    const char *p;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    p = mtw_arena_strdup(tx->scratch, buf);
    return p != NULL ? p : "";
}
