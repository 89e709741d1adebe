/*
 * publish.h - writes a tick's documents to Redis in one MULTI/EXEC.
 *
 * Each document goes to hash mtw:{city}:doc:{name} as {body, etag, ts}
 * (docs/redis-contract.md).  The whole set is one pipeline inside one
 * MULTI/EXEC, so a reader never sees half a tick.  The publisher remembers
 * which per-stop and per-route live documents it wrote, so when a stop or
 * route loses its last vehicle its document is rewritten empty instead of
 * left stale.
 */
#ifndef MTW_JOBS_PUBLISH_H
#define MTW_JOBS_PUBLISH_H

#include "docs/docs.h"
#include "score/tick.h"

#include "store/redis_link.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const mtw_schedule *sched;  /* the schedule the marks refer to */
    uint8_t *stops;             /* predictions:{stop} written last tick */
    uint8_t *routes;            /* route:{id}:live written last tick */
    size_t docs_written;        /* last tick */
    size_t bytes_written;
} mtw_publisher;

void mtw_publisher_init(mtw_publisher *p);
void mtw_publisher_free(mtw_publisher *p);

/*
 * Builds and publishes the tick's documents for city (c->city).  0, or -1
 * with a reason in err (the Redis connection may then be broken: the
 * caller reconnects).
 */
int mtw_publish_tick(mtw_publisher *p, mtw_redis_link *rc, const mtw_tick *t,
                     const mtw_doc_ctx *c, char *err, size_t errlen);

/* Each publish announces itself here, in its transaction (the payload: the
 * city's slug, "*" for the global documents); nginx's micro-caches listen. */
#define MTW_PUBLISHED_CHANNEL "mtw:published"

/* Connects to the configured Redis (2 s timeouts, TLS, AUTH, SELECT).
 * NULL + err. */
mtw_redis_link *mtw_redis_open(const mtw_config *cfg, char *err,
                               size_t errlen);

/* Publishes a ready set (one MULTI/EXEC); global docs when city == NULL. */
int mtw_publish_set(mtw_redis_link *rc, const char *city,
                    const mtw_doc_set *set, char *err, size_t errlen);

#endif
