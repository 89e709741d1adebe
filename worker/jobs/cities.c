/*
 * cities.c - the served cities and their feed URLs from PostgreSQL.
 */
#include "jobs/cities.h"
#include "store/pg.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An unreachable database must not hold the poller for long (start-up and
 * SIGHUP read the city table); libpq reads this unless the URL says. */
static void cities_connect_timeout(void)
{
    setenv("PGCONNECT_TIMEOUT", "5", 0);
}

static const char cities_sql[] =
    "SELECT slug, coalesce(gtfs_rt_vehicles_url, ''),"
    "       coalesce(gtfs_rt_trips_url, ''), coalesce(gtfs_rt_alerts_url, '')"
    "  FROM city WHERE active ORDER BY slug";

static const char city_sql[] =
    "SELECT slug, coalesce(gtfs_rt_vehicles_url, ''),"
    "       coalesce(gtfs_rt_trips_url, ''), coalesce(gtfs_rt_alerts_url, '')"
    "  FROM city WHERE slug = $1";

/* Row r of res into spec; -1 when the slug or a URL does not fit. */
static int cities_row(PGresult *res, int r, mtw_city_spec *spec)
{
    const char *slug = PQgetvalue(res, r, 0);
    int k;

    memset(spec, 0, sizeof(*spec));
    if (!mtw_city_slug_valid(slug)) {
        mtw_warn("city table: slug '%s' is not a valid slug "
                 "([a-z0-9-]{1,32}); skipped", slug);
        return -1;
    }
    snprintf(spec->slug, sizeof(spec->slug), "%s", slug);
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        if (strlen(PQgetvalue(res, r, k + 1)) >= MTW_URL_MAX) {
            mtw_warn("city %s: feed URL longer than %d bytes; skipped",
                     slug, MTW_URL_MAX - 1);
            return -1;
        }
        snprintf(spec->url[k], MTW_URL_MAX, "%s", PQgetvalue(res, r, k + 1));
    }
    return 0;
}

int mtw_cities_load(const char *database_url, mtw_city_spec *spec, int max,
                    char *err, size_t errlen)
{
    PGconn *conn;
    PGresult *res;
    int r, n = 0;

    cities_connect_timeout();
    conn = mtw_pg_connect(database_url, err, errlen);
    if (conn == NULL) {
        return -1;
    }
    res = mtw_pg_query(conn, "reading the city table", cities_sql, 0, NULL,
                       err, errlen);
    if (res == NULL) {
        mtw_pg_close(conn);
        return -1;
    }
    for (r = 0; r < PQntuples(res) && n < max; r++) {
        if (cities_row(res, r, &spec[n]) == 0) {
            n++;
        }
    }
    if (PQntuples(res) > max) {
        mtw_warn("city table: %d active cities, serving the first %d",
                 PQntuples(res), max);
    }
    PQclear(res);
    mtw_pg_close(conn);
    return n;
}

int mtw_cities_lookup(const char *database_url, mtw_city_spec *spec,
                      char *err, size_t errlen)
{
    const char *params[1];
    mtw_city_spec found;
    PGconn *conn;
    PGresult *res;
    int rc = 0;

    cities_connect_timeout();
    conn = mtw_pg_connect(database_url, err, errlen);
    if (conn == NULL) {
        return -1;
    }
    params[0] = spec->slug;
    res = mtw_pg_query(conn, "reading the city table", city_sql, 1, params,
                       err, errlen);
    if (res == NULL) {
        mtw_pg_close(conn);
        return -1;
    }
    if (PQntuples(res) == 1 && cities_row(res, 0, &found) == 0) {
        memcpy(spec->url, found.url, sizeof(spec->url));
        rc = 1;
    }
    PQclear(res);
    mtw_pg_close(conn);
    return rc;
}
