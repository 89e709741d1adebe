/*
 * publish.c - a tick's documents to Redis in one MULTI/EXEC (publish.h).
 */
#include "jobs/publish.h"
#include "store/redis_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mtw_publisher_init(mtw_publisher *p)
{
    memset(p, 0, sizeof(*p));
}

void mtw_publisher_free(mtw_publisher *p)
{
    free(p->stops);
    free(p->routes);
    memset(p, 0, sizeof(*p));
}

mtw_redis_link *mtw_redis_open(const mtw_config *cfg, char *err,
                               size_t errlen)
{
    mtw_redis_addr addr;

    if (mtw_redis_addr_make(cfg, &addr, err, (unsigned) errlen) != 0) {
        return NULL;
    }
    return mtw_redis_link_open(&addr, 2000, err, errlen);
}

int mtw_publish_set(mtw_redis_link *rc, const char *city,
                    const mtw_doc_set *set, char *err, size_t errlen)
{
    redisReply *reply;
    size_t i, expect;
    char key[256];
    int rc_ok = 0;

    if (mtw_redis_append(rc, "MULTI") != REDIS_OK) {
        goto io;
    }
    for (i = 0; i < set->n; i++) {
        const mtw_doc *d = &set->docs[i];
        char ts[24];
        const char *argv[8];
        size_t argl[8];
        int k;

        if (city != NULL) {
            snprintf(key, sizeof(key), "mtw:%s:doc:%s", city, d->name);
        } else {
            snprintf(key, sizeof(key), "mtw:doc:%s", d->name);
        }
        snprintf(ts, sizeof(ts), "%lld", (long long) d->ts);
        argv[0] = "HSET";
        argv[1] = key;
        argv[2] = "body";
        argv[3] = d->body;
        argv[4] = "etag";
        argv[5] = d->etag;
        argv[6] = "ts";
        argv[7] = ts;
        for (k = 0; k < 8; k++) {
            argl[k] = k == 3 ? d->len : strlen(argv[k]);
        }
        /* argv form: no format-string parsing of 15,000 commands */
        if (mtw_redis_append_argv(rc, 8, argv, argl) != REDIS_OK) {
            goto io;
        }
    }
    /* the announcement nginx's micro-caches listen to, after the writes */
    if (mtw_redis_append(rc, "PUBLISH %s %s", MTW_PUBLISHED_CHANNEL,
                         city != NULL ? city : "*") != REDIS_OK
        || mtw_redis_append(rc, "EXEC") != REDIS_OK)
    {
        goto io;
    }
    /* MULTI's +OK, one +QUEUED per document and the PUBLISH, then EXEC's
     * array */
    expect = set->n + 3;
    for (i = 0; i < expect; i++) {
        if (mtw_redis_reply(rc, (void **) &reply) != REDIS_OK) {
            goto io;
        }
        if (reply->type == REDIS_REPLY_ERROR && rc_ok == 0) {
            snprintf(err, errlen, "publishing documents: %s", reply->str);
            rc_ok = -1;
        }
        if (i == expect - 1 && reply->type != REDIS_REPLY_ARRAY
            && rc_ok == 0)
        {
            snprintf(err, errlen, "publishing documents: EXEC aborted");
            rc_ok = -1;
        }
        freeReplyObject(reply);
    }
    return rc_ok;

io:
    snprintf(err, errlen, "publishing documents: %s",
             rc->errstr[0] ? rc->errstr : "connection error");
    return -1;
}

int mtw_publish_tick(mtw_publisher *p, mtw_redis_link *rc, const mtw_tick *t,
                     const mtw_doc_ctx *c, char *err, size_t errlen)
{
    const mtw_schedule *s = t->s;
    mtw_doc_set set;
    size_t i;
    int ret;

    if (p->sched != s) {
        /* a new schedule: indexes changed, forget the old marks */
        free(p->stops);
        free(p->routes);
        p->stops = calloc(s->nstops + 1, 1);
        p->routes = calloc(s->nroutes + 1, 1);
        p->sched = s;
        if (p->stops == NULL || p->routes == NULL) {
            snprintf(err, errlen, "publishing documents: out of memory");
            p->sched = NULL;
            return -1;
        }
    }
    mtw_doc_set_init(&set);
    if (mtw_docs_build_tick(&set, t, c, MTW_DOCS_ALL, p->routes, p->stops) != 0) {
        mtw_doc_set_free(&set);
        snprintf(err, errlen, "building documents: out of memory");
        return -1;
    }
    ret = mtw_publish_set(rc, c->city, &set, err, errlen);
    if (ret == 0) {
        /* what is published now, to be emptied when it goes away */
        memset(p->stops, 0, s->nstops);
        memset(p->routes, 0, s->nroutes);
        for (i = 0; i < s->nstops; i++) {
            p->stops[i] = t->stop_count[i] > 0;
        }
        for (i = 0; i < t->ngroups; i++) {
            if (t->groups[i].route >= 0) {
                p->routes[t->groups[i].route] = 1;
            }
        }
        p->docs_written = set.n;
        p->bytes_written = 0;
        for (i = 0; i < set.n; i++) {
            p->bytes_written += set.docs[i].len;
        }
    }
    mtw_doc_set_free(&set);
    return ret;
}
