/*
 * lease.h - one active worker per city: a Redis lease.
 *
 * mtw:{city}:lease holds the id of the active instance with a PX expiry.
 * The holder renews it (compare-and-PEXPIRE, so it never extends someone
 * else's lease); the others try SET NX PX and take over once it expires.
 * Release is compare-and-DEL so a late exit never drops a successor's lease.
 */
#ifndef MTW_LEASE_H
#define MTW_LEASE_H

#include "store/redis_link.h"

/* 1: we hold it now; 0: another instance does; -1: Redis error. */
int mtw_lease_acquire(mtw_redis_link *c, const char *key, const char *id,
                      long lease_ms);

/* 1: released; 0: it was not ours; -1: Redis error. */
int mtw_lease_release(mtw_redis_link *c, const char *key, const char *id);

#endif
