/*
 * history_pg.h - writes the worker's history to PostgreSQL: arrival_log,
 * bunching_incident, and the daily route_performance_daily aggregate
 * (worker/sql/0002_history.sql).  Values go as parameters; every write is
 * idempotent (ON CONFLICT on the tables' unique keys).
 */
#ifndef MTW_STORE_HISTORY_PG_H
#define MTW_STORE_HISTORY_PG_H

#include "score/arrivals.h"

#include <libpq-fe.h>
#include <stddef.h>

/*
 * Appends n rows in one transaction: the arrivals to arrival_log in
 * multi-row INSERTs (one statement per 200 rows), each with its source,
 * and the feed's cancellations and skipped stops (MTW_ARR_IS_EXCEPTION)
 * to service_exception; rows already logged are skipped.  Returns the
 * arrivals inserted once the transaction committed (*exceptions: the
 * exceptions inserted), or -1 with err (nothing written, or the commit's
 * outcome unknown: a retry is safe).
 */
long mtw_histpg_arrivals(PGconn *conn, int city_id, const mtw_arrival *a,
                         size_t n, long *exceptions, char *err,
                         size_t errlen);

/*
 * Records n bunching incidents in one transaction; a resumable one that
 * continues an incident of its route-direction detected in the
 * MTW_BUNCH_RESUME_SEC before it is skipped.  Returns the rows inserted,
 * or -1 with err (nothing written).
 */
long mtw_histpg_bunching(PGconn *conn, int city_id, const mtw_bunching *b,
                         size_t n, char *err, size_t errlen);

/* 1 when route_performance_daily has a row of the day, 0 not, -1 error. */
int mtw_histpg_day_done(PGconn *conn, int city_id, int ymd, char *err,
                        size_t errlen);

/*
 * Aggregates the day's arrival_log (and bunching_incident) into one
 * route_performance_daily row per route, replacing the numbers of an
 * earlier run (upsert).  On-time window w.  Returns the routes written,
 * or -1 with err (nothing written).
 */
long mtw_histpg_aggregate(PGconn *conn, int city_id, int ymd,
                          const mtw_otp_window *w, char *err, size_t errlen);

#endif
