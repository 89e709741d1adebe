/*
 * lease.c - SET NX PX, compare-and-renew and compare-and-delete in Lua.
 */
#include "jobs/lease.h"

#include <stdio.h>
#include <string.h>

static const char lease_renew_lua[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
    "end return 0";

static const char lease_release_lua[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "  return redis.call('DEL', KEYS[1]) "
    "end return 0";

/* register ARGV[1] until now + ARGV[2] ms (server clock), drop the
 * expired, count the rest */
static const char workers_alive_lua[] =
    "local t = redis.call('TIME') "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
    "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) "
    "return redis.call('ZCARD', KEYS[1])";

static int lease_int_reply(redisReply *r)
{
    int v;

    if (r == NULL) {
        return -1;
    }
    v = r->type == REDIS_REPLY_INTEGER ? (r->integer ? 1 : 0) : -1;
    freeReplyObject(r);
    return v;
}

int mtw_lease_acquire(mtw_redis_link *c, const char *key, const char *id,
                      long lease_ms)
{
    char ms[32];
    const char *argv[6];
    redisReply *r;

    snprintf(ms, sizeof(ms), "%ld", lease_ms);
    argv[0] = "SET";
    argv[1] = key;
    argv[2] = id;
    argv[3] = "NX";
    argv[4] = "PX";
    argv[5] = ms;
    r = mtw_redis_command_argv(c, 6, argv, NULL);
    if (r == NULL) {
        return -1;
    }
    if (r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0) {
        freeReplyObject(r);
        return 1;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        freeReplyObject(r);
        return -1;
    }
    freeReplyObject(r);
    argv[0] = "EVAL";
    argv[1] = lease_renew_lua;
    argv[2] = "1";
    argv[3] = key;
    argv[4] = id;
    argv[5] = ms;
    return lease_int_reply(mtw_redis_command_argv(c, 6, argv, NULL));
}

int mtw_lease_release(mtw_redis_link *c, const char *key, const char *id)
{
    const char *argv[5];

    argv[0] = "EVAL";
    argv[1] = lease_release_lua;
    argv[2] = "1";
    argv[3] = key;
    argv[4] = id;
    return lease_int_reply(mtw_redis_command_argv(c, 5, argv, NULL));
}

long mtw_workers_alive(mtw_redis_link *c, const char *key, const char *id,
                       long ttl_ms)
{
    char ms[32];
    const char *argv[6];
    redisReply *r;
    long n;

    snprintf(ms, sizeof(ms), "%ld", ttl_ms);
    argv[0] = "EVAL";
    argv[1] = workers_alive_lua;
    argv[2] = "1";
    argv[3] = key;
    argv[4] = id;
    argv[5] = ms;
    r = mtw_redis_command_argv(c, 6, argv, NULL);
    if (r == NULL) {
        return -1;
    }
    n = r->type == REDIS_REPLY_INTEGER && r->integer > 0
        ? (long) r->integer : -1;
    freeReplyObject(r);
    return n;
}

int mtw_workers_leave(mtw_redis_link *c, const char *key, const char *id)
{
    const char *argv[3];
    redisReply *r;

    argv[0] = "ZREM";
    argv[1] = key;
    argv[2] = id;
    r = mtw_redis_command_argv(c, 3, argv, NULL);

    if (r == NULL) {
        return -1;
    }
    freeReplyObject(r);
    return 0;
}
