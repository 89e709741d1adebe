/*
 * votes.c - the votes archive and its restore (see votes.h).
 */
#include "jobs/votes.h"
#include "store/votes_pg.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define VOTES_TTL_SEC 86400     /* the module's own TTL of the counters */

static int votes_restore(mtw_redis_link *rc, PGconn *pg, int city_id,
                         const char *slug, int ymd)
{
    mtw_vote_count *v;
    redisReply *r;
    unsigned char raw[8];
    char err[512], key[160], epoch[17];
    long n, i;
    int k, cmds = 0;

    n = mtw_votespg_load(pg, city_id, ymd, &v, err, sizeof(err));
    if (n < 0) {
        mtw_warn("votes %s: %s", slug, err);
        return -1;
    }
    if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t) sizeof(raw)) {
        memset(raw, 0, sizeof(raw));
        memcpy(raw, &n, sizeof(n) < sizeof(raw) ? sizeof(n) : sizeof(raw));
    }
    for (k = 0; k < 8; k++) {
        snprintf(epoch + 2 * k, 3, "%02x", raw[k]);
    }
    /* one transaction: the counters and the marker together */
    mtw_redis_append(rc, "MULTI");
    cmds++;
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "mtw:%s:feedback:%s", slug, v[i].vehicle_id);
        mtw_redis_append(rc, "HINCRBY %s ahead %ld", key, v[i].ahead);
        mtw_redis_append(rc, "HINCRBY %s on_time %ld", key, v[i].on_time);
        mtw_redis_append(rc, "HINCRBY %s late %ld", key, v[i].late);
        mtw_redis_append(rc, "HINCRBY %s total %ld", key,
                           v[i].ahead + v[i].on_time + v[i].late);
        mtw_redis_append(rc, "EXPIRE %s %d", key, VOTES_TTL_SEC);
        cmds += 5;
    }
    snprintf(key, sizeof(key), "mtw:%s:feedback-epoch", slug);
    mtw_redis_append(rc, "SET %s %s", key, epoch);
    mtw_redis_append(rc, "EXEC");
    cmds += 2;
    free(v);
    for (k = 0; k < cmds; k++) {
        void *p;

        if (mtw_redis_reply(rc, &p) != REDIS_OK || p == NULL) {
            mtw_warn("votes %s: Redis failed restoring the counters", slug);
            return -1;
        }
        r = p;
        if (k == cmds - 1 && r->type != REDIS_REPLY_ARRAY) {
            mtw_warn("votes %s: restoring the counters: %s", slug,
                     r->type == REDIS_REPLY_ERROR ? r->str : "aborted");
            freeReplyObject(r);
            return -1;
        }
        freeReplyObject(r);
    }
    if (n > 0) {
        mtw_info("votes %s: Redis had lost them; %ld vehicles' counts of "
                 "%08d restored from PostgreSQL", slug, n, ymd);
    }
    return 0;
}

long mtw_votes_read(mtw_redis_link *rc, const char *slug,
                    mtw_vote_count **out)
{
    mtw_vote_count *v = NULL, *nv;
    redisReply *scan, *h;
    char cursor[32] = "0", match[96];
    size_t prefix, n = 0, cap = 0, i;

    *out = NULL;
    prefix = (size_t) snprintf(match, sizeof(match), "mtw:%s:feedback:",
                               slug);
    snprintf(match + prefix, sizeof(match) - prefix, "*");
    do {
        scan = mtw_redis_command(rc, "SCAN %s MATCH %s COUNT 1000", cursor, match);
        if (scan == NULL || scan->type != REDIS_REPLY_ARRAY
            || scan->elements != 2)
        {
            if (scan != NULL) {
                freeReplyObject(scan);
            }
            free(v);
            return -1;
        }
        snprintf(cursor, sizeof(cursor), "%s", scan->element[0]->str);
        for (i = 0; i < scan->element[1]->elements; i++) {
            const char *key = scan->element[1]->element[i]->str;

            if (strlen(key) - prefix >= sizeof(v->vehicle_id)) {
                continue;
            }
            h = mtw_redis_command(rc, "HMGET %s ahead on_time late", key);
            if (h == NULL) {
                freeReplyObject(scan);
                free(v);
                return -1;
            }
            if (h->type == REDIS_REPLY_ARRAY && h->elements == 3) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 64;
                    nv = realloc(v, cap * sizeof(*v));
                    if (nv == NULL) {
                        freeReplyObject(h);
                        freeReplyObject(scan);
                        free(v);
                        return -1;
                    }
                    v = nv;
                }
                snprintf(v[n].vehicle_id, sizeof(v[n].vehicle_id), "%s",
                         key + prefix);
                v[n].ahead = h->element[0]->str ? atol(h->element[0]->str) : 0;
                v[n].on_time = h->element[1]->str
                               ? atol(h->element[1]->str) : 0;
                v[n].late = h->element[2]->str ? atol(h->element[2]->str) : 0;
                n++;
            }
            freeReplyObject(h);
        }
        freeReplyObject(scan);
    } while (strcmp(cursor, "0") != 0);
    *out = v;
    return (long) n;
}

void mtw_votes_tick(mtw_votes *v, mtw_redis_link *rc, PGconn *pg, int city_id,
                    const char *slug, int ymd, int every_sec, int64_t wall)
{
    mtw_vote_count *counts;
    redisReply *r;
    char err[512];
    long n;
    int day_over, archive_ymd;

    if (rc == NULL || pg == NULL || PQstatus(pg) != CONNECTION_OK
        || ymd == 0)
    {
        return;
    }
    day_over = v->ymd != 0 && v->ymd != ymd;
    if (!day_over && wall < v->next_at) {
        return;
    }
    v->next_at = wall + every_sec;
    r = mtw_redis_command(rc, "EXISTS mtw:%s:feedback-epoch", slug);
    if (r == NULL) {
        return;                         /* the caller sees rc->err */
    }
    if (r->type == REDIS_REPLY_INTEGER && r->integer == 0
        && votes_restore(rc, pg, city_id, slug, ymd) != 0)
    {
        freeReplyObject(r);
        return;
    }
    freeReplyObject(r);
    n = mtw_votes_read(rc, slug, &counts);
    if (n < 0) {
        mtw_warn("votes %s: cannot read the counters from Redis", slug);
        return;
    }
    /* the last copy of a finished day goes under that day */
    archive_ymd = day_over ? v->ymd : ymd;
    if (mtw_votespg_save(pg, city_id, archive_ymd, counts, (size_t) n, err,
                         sizeof(err)) != 0)
    {
        mtw_warn("votes %s: %s (kept in Redis, retried in %d s)", slug, err,
                 every_sec);
    } else {
        mtw_debug("votes %s: %ld vehicles' counts archived for %08d", slug, n,
                  archive_ymd);
        v->ymd = ymd;
    }
    free(counts);
}
