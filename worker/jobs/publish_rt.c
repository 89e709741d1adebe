/*
 * publish_rt.c - one transaction per city tick: snapshots, GEO, heartbeat
 * (see publish_rt.h).
 */
#include "jobs/publish.h"
#include "jobs/publish_rt.h"
#include "feed/rtjson.h"
#include "util/log.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

/* A live state hash (docs/redis-contract.md): ts, stale, age_sec, etag
 * (NULL: none, the rich form's, which no reader compares) and json, the
 * nparts pieces sent from where they are (megabytes at scale); + TTL. */
static void publish_hash(mtw_redis_tx *tx, const char *key, int64_t ts,
                         int nparts, const char **part, const size_t *len,
                         const char *etag, int stale, int64_t age)
{
    const char *argv[11];
    int n = 8;

    argv[0] = "HSET";
    argv[1] = key;
    argv[2] = "ts";
    argv[3] = mtw_redis_tx_fmt(tx, "%lld", (long long) ts);
    argv[4] = "stale";
    argv[5] = stale ? "1" : "0";
    argv[6] = "age_sec";
    argv[7] = mtw_redis_tx_fmt(tx, "%lld", (long long) age);
    if (etag != NULL) {
        argv[n++] = "etag";
        argv[n++] = etag;
    }
    argv[n++] = "json";
    mtw_redis_tx_cmd_parts(tx, n, argv, NULL, nparts, part, len);
    argv[0] = "EXPIRE";
    argv[2] = mtw_redis_tx_fmt(tx, "%d", MTW_RT_TTL_SEC);
    mtw_redis_tx_cmd(tx, 3, argv, NULL);
}

static int geo_ok(const mtw_rt_vehicle *v)
{
    /* Redis GEO range; 0,0 is a device without a fix */
    return v->has_position && fabs(v->lat) <= 85.05112878
           && fabs(v->lon) <= 180.0 && (v->lat != 0.0 || v->lon != 0.0);
}

static void publish_vehicles(mtw_redis_tx *tx, const char *slug,
                             const mtw_feed_state *f)
{
    const mtw_snapshot *s = mtw_feed_good(f);
    const char *geo = mtw_redis_tx_fmt(tx, "mtw:%s:geo:vehicles", slug);
    const char *hash = mtw_redis_tx_fmt(tx, "mtw:%s:vehicle", slug);
    const char *ttl = mtw_redis_tx_fmt(tx, "%d", MTW_RT_TTL_SEC);
    const char **argv;
    size_t *lens, i, n = 0;
    const char *a[3];

    a[0] = "DEL";
    a[1] = geo;
    mtw_redis_tx_cmd(tx, 2, a, NULL);
    a[1] = hash;
    mtw_redis_tx_cmd(tx, 2, a, NULL);
    if (s->n_vehicles == 0 || f->vehicle_json.failed || f->vehicle_off == NULL) {
        return;
    }
    argv = mtw_arena_alloc(tx->scratch, (3 * s->n_vehicles + 2)
                                        * sizeof(*argv));
    lens = mtw_arena_alloc(tx->scratch, (3 * s->n_vehicles + 2)
                                        * sizeof(*lens));
    if (argv == NULL || lens == NULL) {
        return;
    }
    argv[0] = "GEOADD";
    argv[1] = geo;
    n = 2;
    for (i = 0; i < s->n_vehicles; i++) {
        if (!geo_ok(&s->vehicles[i])) {
            continue;
        }
        argv[n++] = mtw_redis_tx_fmt(tx, "%.7f", s->vehicles[i].lon);
        argv[n++] = mtw_redis_tx_fmt(tx, "%.7f", s->vehicles[i].lat);
        argv[n++] = s->vehicles[i].vehicle_id;
    }
    if (n > 2) {
        mtw_redis_tx_cmd(tx, (int) n, argv, NULL);
        a[0] = "EXPIRE";
        a[1] = geo;
        a[2] = ttl;
        mtw_redis_tx_cmd(tx, 3, a, NULL);
    }
    argv[0] = "HSET";
    argv[1] = hash;
    lens[0] = 4;
    lens[1] = strlen(hash);
    n = 2;
    for (i = 0; i < s->n_vehicles; i++) {
        argv[n] = s->vehicles[i].vehicle_id;
        lens[n] = strlen(argv[n]);
        n++;
        argv[n] = f->vehicle_json.buf + f->vehicle_off[i];
        lens[n] = f->vehicle_off[i + 1] - f->vehicle_off[i];
        n++;
    }
    mtw_redis_tx_cmd(tx, (int) n, argv, lens);
    a[0] = "EXPIRE";
    a[1] = hash;
    a[2] = ttl;
    mtw_redis_tx_cmd(tx, 3, a, NULL);
}

static void publish_heartbeat(mtw_redis_tx *tx, const mtw_city *city,
                              const mtw_rt_publish_opts *po, int64_t now,
                              int64_t wall_ts)
{
    const char *argv[64];
    const mtw_feed_state *f;
    const mtw_snapshot *s;
    const char *name;
    int n = 0, k;

    argv[n++] = "HSET";
    argv[n++] = mtw_redis_tx_fmt(tx, "mtw:%s:heartbeat", city->slug);
    /* ts is wall time: /api/readyz compares it with its own clock */
    argv[n++] = "ts";
    argv[n++] = mtw_redis_tx_fmt(tx, "%lld", (long long) wall_ts);
    argv[n++] = "now";
    argv[n++] = mtw_redis_tx_fmt(tx, "%lld", (long long) now);
    argv[n++] = "pid";
    argv[n++] = mtw_redis_tx_fmt(tx, "%d", (int) getpid());
    argv[n++] = "host";
    argv[n++] = po->host;
    argv[n++] = "instance";
    argv[n++] = po->instance;
    argv[n++] = "poll_sec";
    argv[n++] = mtw_redis_tx_fmt(tx, "%g", po->poll_ms / 1000.0);
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &city->feed[k];
        s = mtw_feed_good(f);
        name = mtw_feed_kind_name(f->kind);
        argv[n++] = mtw_redis_tx_fmt(tx, "%s_ok_ts", name);
        argv[n++] = mtw_redis_tx_fmt(tx, "%lld", (long long) f->ok_ts);
        argv[n++] = mtw_redis_tx_fmt(tx, "%s_entities", name);
        argv[n++] = mtw_redis_tx_fmt(tx, "%zu",
                                     s ? mtw_snapshot_count(s) : (size_t) 0);
        argv[n++] = mtw_redis_tx_fmt(tx, "%s_error", name);
        argv[n++] = f->fetch == NULL ? "not configured" : f->error;
        argv[n++] = mtw_redis_tx_fmt(tx, "%s_stale", name);
        argv[n++] = s == NULL || mtw_feed_stale(f, now) ? "1" : "0";
        argv[n++] = mtw_redis_tx_fmt(tx, "%s_age_sec", name);
        argv[n++] = mtw_redis_tx_fmt(tx, "%lld",
                                     (long long) mtw_feed_age(f, now));
        argv[n++] = mtw_redis_tx_fmt(tx, "%s_ts", name);
        argv[n++] = mtw_redis_tx_fmt(tx, "%lld",
                                     (long long) (s ? s->header_ts : 0));
    }
    mtw_redis_tx_cmd(tx, n, argv, NULL);
    /* the module answers only for listed cities */
    argv[0] = "SADD";
    argv[1] = "mtw:cities";
    argv[2] = city->slug;
    mtw_redis_tx_cmd(tx, 3, argv, NULL);
}

/* WATCH the lease key and read it, in one round trip: 1 when it is still
 * instance's (the WATCH stays for the EXEC), 0 when not (UNWATCH sent),
 * -1 when Redis failed. */
static int publish_fence(mtw_redis *r, const char *key, const char *instance)
{
    redisReply *rep;
    void *p;
    int held;

    mtw_redis_append(r->ctx, "WATCH %s", key);
    mtw_redis_append(r->ctx, "GET %s", key);
    if (mtw_redis_reply(r->ctx, &p) != REDIS_OK || p == NULL) {
        mtw_redis_fail(r, "publish");
        return -1;
    }
    freeReplyObject(p);
    if (mtw_redis_reply(r->ctx, &p) != REDIS_OK || p == NULL) {
        mtw_redis_fail(r, "publish");
        return -1;
    }
    rep = p;
    held = rep->type == REDIS_REPLY_STRING && strcmp(rep->str, instance) == 0;
    freeReplyObject(rep);
    if (!held) {
        rep = mtw_redis_command(r->ctx, "UNWATCH");
        if (rep == NULL) {
            mtw_redis_fail(r, "publish");
            return -1;
        }
        freeReplyObject(rep);
    }
    return held;
}

int mtw_rt_publish(mtw_redis *r, mtw_city *city,
                   const mtw_rt_publish_opts *po, int64_t now,
                   int64_t wall_ts, mtw_arena *scratch, mtw_jbuf *buf)
{
    const mtw_feed_state *f;
    const mtw_snapshot *s;
    const char *argv[1], *part[3];
    size_t len[3];
    mtw_redis_tx tx;
    redisReply *exec;
    int64_t age;
    int k, stale, rc;

    tx.c = r->ctx;
    tx.n = 0;
    tx.scratch = scratch;
    tx.conn = r->connects;
    if (tx.c == NULL) {
        return -1;
    }
    mtw_arena_reset(scratch);
    rc = publish_fence(r, mtw_redis_tx_fmt(&tx, "mtw:%s:lease", city->slug),
                       po->instance);
    if (rc <= 0) {
        return rc < 0 ? -1 : MTW_RT_LEASE_LOST;
    }
    argv[0] = "MULTI";
    mtw_redis_tx_cmd(&tx, 1, argv, NULL);
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &city->feed[k];
        s = mtw_feed_good(f);
        if (s == NULL || f->ref_json.failed || f->rich_items.failed) {
            continue;
        }
        age = mtw_feed_age(f, now);
        stale = mtw_feed_stale(f, now);
        part[0] = f->ref_json.buf ? f->ref_json.buf : "[]";
        len[0] = f->ref_json.buf ? f->ref_json.len : 2;
        publish_hash(&tx, mtw_redis_tx_fmt(&tx, "mtw:%s:%s", city->slug,
                                           mtw_feed_kind_name(f->kind)),
                     s->header_ts, 1, part, len, f->ref_etag, stale, age);
        /* the rich form: its head (this tick's stale and age), the items
         * rendered once per snapshot, the closing brace */
        mtw_jbuf_reset(buf);
        mtw_rtjson_rich_head(buf, f->kind, s->header_ts, stale, age);
        part[0] = buf->buf;
        len[0] = buf->len;
        part[1] = f->rich_items.buf ? f->rich_items.buf : "[]";
        len[1] = f->rich_items.buf ? f->rich_items.len : 2;
        part[2] = "}";
        len[2] = 1;
        if (!buf->failed) {
            publish_hash(&tx, mtw_redis_tx_fmt(&tx, "mtw:%s:rt:%s",
                                               city->slug,
                                               mtw_feed_kind_name(f->kind)),
                         s->header_ts, 3, part, len, NULL, stale, age);
        }
        if (f->kind == MTW_FEED_VEHICLES && age <= MTW_RT_TTL_SEC) {
            publish_vehicles(&tx, city->slug, f);
        }
    }
    publish_heartbeat(&tx, city, po, now, wall_ts);
    if (po->hook != NULL) {
        po->hook(po->hook_ud, city, &tx, now);
    }
    {
        /* in the transaction, after the writes: nginx's micro-caches drop
         * what they hold when this arrives (docs/redis-contract.md) */
        const char *pub[3] = { "PUBLISH", MTW_PUBLISHED_CHANNEL,
                               city->slug };

        mtw_redis_tx_cmd(&tx, 3, pub, NULL);
    }
    argv[0] = "EXEC";
    mtw_redis_tx_cmd(&tx, 1, argv, NULL);
    rc = mtw_redis_drain(r, tx.n, &exec);
    if (rc < 0) {
        return -1;
    }
    if (exec != NULL && exec->type == REDIS_REPLY_NIL) {
        /* the lease key changed between WATCH and EXEC: not ours now */
        rc = MTW_RT_LEASE_LOST;
    } else if (exec == NULL || exec->type != REDIS_REPLY_ARRAY) {
        mtw_warn("city %s: publish transaction aborted: %s", city->slug,
                 exec && exec->type == REDIS_REPLY_ERROR ? exec->str : "?");
        rc = -1;
    } else {
        rc = 0;
    }
    if (exec != NULL) {
        freeReplyObject(exec);
    }
    return rc;
}
