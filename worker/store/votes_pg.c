/*
 * votes_pg.c - feedback_archive reads and writes (see votes_pg.h).
 */
#include "store/votes_pg.h"
#include "store/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mtw_votespg_save(PGconn *conn, int city_id, int ymd,
                     const mtw_vote_count *v, size_t n, char *err,
                     size_t errlen)
{
    char city[16], date[16], a[24], o[24], l[24];
    const char *params[6] = { city, date, NULL, a, o, l };
    PGresult *r;
    size_t i;

    if (n == 0) {
        return 0;
    }
    snprintf(city, sizeof(city), "%d", city_id);
    snprintf(date, sizeof(date), "%08d", ymd);
    if (mtw_pg_exec(conn, "archiving votes", "BEGIN", err, errlen) != 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        params[2] = v[i].vehicle_id;
        snprintf(a, sizeof(a), "%ld", v[i].ahead);
        snprintf(o, sizeof(o), "%ld", v[i].on_time);
        snprintf(l, sizeof(l), "%ld", v[i].late);
        r = mtw_pg_query(conn, "archiving votes",
            "INSERT INTO feedback_archive (city_id, service_date, vehicle_id, "
            "ahead, on_time, late) VALUES ($1::int, $2::date, $3::text, "
            "$4::int, $5::int, $6::int) ON CONFLICT (city_id, service_date, "
            "vehicle_id) DO UPDATE SET ahead = EXCLUDED.ahead, "
            "on_time = EXCLUDED.on_time, late = EXCLUDED.late, "
            "archived_at = now()", 6, params, err, errlen);
        if (r == NULL) {
            mtw_pg_exec(conn, "archiving votes", "ROLLBACK", NULL, 0);
            return -1;
        }
        PQclear(r);
    }
    return mtw_pg_exec(conn, "archiving votes", "COMMIT", err, errlen);
}

long mtw_votespg_load(PGconn *conn, int city_id, int ymd,
                      mtw_vote_count **out, char *err, size_t errlen)
{
    char city[16], date[16];
    const char *params[2] = { city, date };
    mtw_vote_count *v;
    PGresult *r;
    int i, n;

    *out = NULL;
    snprintf(city, sizeof(city), "%d", city_id);
    snprintf(date, sizeof(date), "%08d", ymd);
    r = mtw_pg_query(conn, "reading archived votes",
        "SELECT vehicle_id, ahead, on_time, late FROM feedback_archive "
        "WHERE city_id = $1::int AND service_date = $2::date "
        "ORDER BY vehicle_id", 2, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    n = PQntuples(r);
    v = calloc((size_t) n + 1, sizeof(*v));
    if (v == NULL) {
        PQclear(r);
        snprintf(err, errlen, "reading archived votes: out of memory");
        return -1;
    }
    for (i = 0; i < n; i++) {
        snprintf(v[i].vehicle_id, sizeof(v[i].vehicle_id), "%s",
                 PQgetvalue(r, i, 0));
        v[i].ahead = atol(PQgetvalue(r, i, 1));
        v[i].on_time = atol(PQgetvalue(r, i, 2));
        v[i].late = atol(PQgetvalue(r, i, 3));
    }
    PQclear(r);
    *out = v;
    return n;
}
