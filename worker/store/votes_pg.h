/*
 * votes_pg.h - riders' punctuality votes kept in PostgreSQL
 * (feedback_archive, worker/sql/0002_history.sql): the copy that outlives
 * the Redis counters the module writes.  Values go as parameters.
 */
#ifndef MTW_STORE_VOTES_PG_H
#define MTW_STORE_VOTES_PG_H

#include <libpq-fe.h>
#include <stddef.h>

/* One vehicle's counters (the module's mtw:{city}:feedback:{id} hash). */
typedef struct {
    char vehicle_id[65];
    long ahead, on_time, late;
} mtw_vote_count;

/*
 * Sets the counters of the city's service day ymd (YYYYMMDD) to v[0..n),
 * one transaction (insert or update: the Redis counts are the truth while
 * they exist).  0, or -1 with err.
 */
int mtw_votespg_save(PGconn *conn, int city_id, int ymd,
                     const mtw_vote_count *v, size_t n, char *err,
                     size_t errlen);

/*
 * The counters archived for the city's service day ymd into *out (caller
 * frees).  Returns their number, or -1 with err.
 */
long mtw_votespg_load(PGconn *conn, int city_id, int ymd,
                      mtw_vote_count **out, char *err, size_t errlen);

#endif
