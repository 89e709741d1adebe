/*
 * redis_conn.c - lazy connect, backoff, pipeline draining.
 */
#include "store/redis_conn.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

#define REDIS_RETRY_MIN_MS 200
#define REDIS_RETRY_MAX_MS 5000

void mtw_redis_init(mtw_redis *r, const mtw_redis_addr *addr, int timeout_ms)
{
    memset(r, 0, sizeof(*r));
    r->addr = *addr;
    r->timeout_ms = timeout_ms;
    r->retry_ms = REDIS_RETRY_MIN_MS;
    r->was_up = 1;      /* log the first failure */
}

void mtw_redis_close(mtw_redis *r)
{
    if (r->ctx != NULL) {
        mtw_redis_link_free(r->ctx);
        r->ctx = NULL;
    }
}

mtw_redis_link *mtw_redis_get(mtw_redis *r, int64_t now_ms)
{
    mtw_redis_link *c;
    char err[200];

    if (r->ctx != NULL) {
        return r->ctx;
    }
    if (now_ms < r->retry_at_ms) {
        return NULL;
    }
    c = mtw_redis_link_open(&r->addr, r->timeout_ms, err, sizeof(err));
    if (c == NULL) {
        if (r->was_up) {
            mtw_warn("redis unavailable: %s (retrying)", err);
            r->was_up = 0;
        }
        r->retry_at_ms = now_ms + r->retry_ms;
        r->retry_ms = r->retry_ms * 2 > REDIS_RETRY_MAX_MS
                      ? REDIS_RETRY_MAX_MS : r->retry_ms * 2;
        return NULL;
    }
    if (!r->was_up) {
        mtw_info("redis connected again");
    }
    r->was_up = 1;
    r->ctx = c;
    r->connects++;
    r->retry_ms = REDIS_RETRY_MIN_MS;
    return c;
}

void mtw_redis_fail(mtw_redis *r, const char *what)
{
    if (r->ctx != NULL) {
        mtw_warn("redis %s failed: %s (reconnecting)", what,
                 r->ctx->errstr[0] ? r->ctx->errstr : "I/O error");
    }
    mtw_redis_close(r);
    r->was_up = 0;
    r->retry_at_ms = 0;     /* first reconnect right away */
}

int mtw_redis_drain(mtw_redis *r, int n, redisReply **last)
{
    redisReply *reply;
    void *p;
    int i, errors = 0;

    if (last != NULL) {
        *last = NULL;
    }
    for (i = 0; i < n; i++) {
        if (mtw_redis_reply(r->ctx, &p) != REDIS_OK || p == NULL) {
            if (last != NULL && *last != NULL) {
                freeReplyObject(*last);
                *last = NULL;
            }
            mtw_redis_fail(r, "pipeline");
            return -1;
        }
        reply = p;
        if (reply->type == REDIS_REPLY_ERROR) {
            mtw_warn("redis error reply: %s", reply->str);
            errors++;
        }
        if (last != NULL && i == n - 1) {
            *last = reply;
        } else {
            freeReplyObject(reply);
        }
    }
    return errors;
}
