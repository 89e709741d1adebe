/*
 * lease.h - one active worker per city: a Redis lease.
 *
 * mtw:{city}:lease holds the id of the active instance with a PX expiry.
 * The holder renews it (compare-and-PEXPIRE, so it never extends someone
 * else's lease); the others try SET NX PX and take over once it expires.
 * Release is compare-and-DEL so a late exit never drops a successor's lease.
 * Several workers share the cities fairly through a registry of the live
 * ones (mtw_workers_alive).
 */
#ifndef MTW_LEASE_H
#define MTW_LEASE_H

#include "store/redis_link.h"

/* 1: we hold it now; 0: another instance does; -1: Redis error. */
int mtw_lease_acquire(mtw_redis_link *c, const char *key, const char *id,
                      long lease_ms);

/* 1: released; 0: it was not ours; -1: Redis error. */
int mtw_lease_release(mtw_redis_link *c, const char *key, const char *id);

/*
 * The workers sharing the same cities: each registers its id in the sorted
 * set key (mtw:workers:{hash of the city list}, so only workers serving
 * the same list count each other), scored by an expiry on the Redis
 * server's clock (so workers' clocks need not agree), and counts the live
 * ones there.  A worker holds at most its fair share of the cities,
 * ceil(cities / workers): it takes no more, and hands back the surplus
 * when workers join (cmd/run.c).  A worker gone without leaving drops out
 * after ttl_ms.  Returns the count (>= 1, itself included), or -1 on a
 * Redis error.
 */
long mtw_workers_alive(mtw_redis_link *c, const char *key, const char *id,
                       long ttl_ms);

/* Leaves the set (at exit, or when its city list changed): 0, or -1 on a
 * Redis error. */
int mtw_workers_leave(mtw_redis_link *c, const char *key, const char *id);

#endif
