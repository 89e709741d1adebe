/*
 * schedule_pg.c - a city's service-day schedule from PostgreSQL (see
 * schedule_pg.h).
 */
#include "store/schedule_pg.h"
#include "score/calendar.h"
#include "store/pg.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FETCH_ROWS "20000"

static const char *val(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int ival(const PGresult *r, int row, int col, int dflt)
{
    return PQgetisnull(r, row, col) ? dflt : atoi(PQgetvalue(r, row, col));
}

int mtw_city_load(PGconn *conn, const char *slug, mtw_city_row *out,
                  char *err, size_t errlen)
{
    const char *params[1] = { slug };
    PGresult *r;

    r = mtw_pg_query(conn, "loading the city", "SELECT id, slug, name, "
                     "timezone, coalesce(country, ''), center_lat, "
                     "center_lon, zoom_level, gtfs_version FROM city "
                     "WHERE slug = $1", 1, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    memset(out, 0, sizeof(*out));
    out->id = atoi(PQgetvalue(r, 0, 0));
    snprintf(out->slug, sizeof(out->slug), "%s", PQgetvalue(r, 0, 1));
    snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(r, 0, 2));
    snprintf(out->tz, sizeof(out->tz), "%s", PQgetvalue(r, 0, 3));
    snprintf(out->country, sizeof(out->country), "%s", PQgetvalue(r, 0, 4));
    out->center_lat = PQgetisnull(r, 0, 5) ? NAN : atof(PQgetvalue(r, 0, 5));
    out->center_lon = PQgetisnull(r, 0, 6) ? NAN : atof(PQgetvalue(r, 0, 6));
    out->zoom_level = ival(r, 0, 7, 12);
    out->gtfs_version = ival(r, 0, 8, 0);
    PQclear(r);
    return 1;
}

int mtw_city_gtfs_version(PGconn *conn, int city_id, char *err,
                          size_t errlen)
{
    char id[16];
    const char *params[1] = { id };
    PGresult *r;
    int v = -1;

    snprintf(id, sizeof(id), "%d", city_id);
    r = mtw_pg_query(conn, "reading gtfs_version", "SELECT gtfs_version "
                     "FROM city WHERE id = $1", 1, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    if (PQntuples(r) == 1) {
        v = ival(r, 0, 0, -1);
    } else {
        snprintf(err, errlen, "reading gtfs_version: city %d is gone",
                 city_id);
    }
    PQclear(r);
    return v;
}

static int date_of(const char *yyyymmdd)
{
    return yyyymmdd ? atoi(yyyymmdd) : 0;
}

static int load_calendar(PGconn *conn, const char *id, mtw_timetable *tt,
                         char *err, size_t errlen)
{
    const char *params[1] = { id };
    PGresult *r;
    int i, k;

    r = mtw_pg_query(conn, "loading calendar", "SELECT service_id, monday, "
                     "tuesday, wednesday, thursday, friday, saturday, "
                     "sunday, to_char(start_date, 'YYYYMMDD'), "
                     "to_char(end_date, 'YYYYMMDD') FROM calendar "
                     "WHERE city_id = $1", 1, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    for (i = 0; i < PQntuples(r); i++) {
        unsigned days = 0;

        for (k = 0; k < 7; k++) {
            days |= (ival(r, i, 1 + k, 0) == 1) << k;
        }
        if (mtw_tt_add_calendar(tt, val(r, i, 0), days,
                                date_of(val(r, i, 8)),
                                date_of(val(r, i, 9))) != 0)
        {
            PQclear(r);
            snprintf(err, errlen, "loading calendar: out of memory");
            return -1;
        }
    }
    PQclear(r);
    r = mtw_pg_query(conn, "loading calendar_dates", "SELECT service_id, "
                     "to_char(date, 'YYYYMMDD'), exception_type "
                     "FROM calendar_dates WHERE city_id = $1", 1, params,
                     err, errlen);
    if (r == NULL) {
        return -1;
    }
    for (i = 0; i < PQntuples(r); i++) {
        if (mtw_tt_add_calendar_date(tt, val(r, i, 0),
                                     date_of(val(r, i, 1)),
                                     ival(r, i, 2, 0)) != 0)
        {
            PQclear(r);
            snprintf(err, errlen, "loading calendar_dates: out of memory");
            return -1;
        }
    }
    PQclear(r);
    return 0;
}

/* a text[] literal of the keys of set, each element quoted */
static char *services_array(const mtw_idmap *set)
{
    size_t i, len = 3, n = 0;
    char *buf, *p;

    for (i = 0; i < set->cap; i++) {
        if (set->keys[i] != NULL) {
            len += strlen(set->keys[i]) * 2 + 3;
        }
    }
    buf = malloc(len);
    if (buf == NULL) {
        return NULL;
    }
    p = buf;
    *p++ = '{';
    for (i = 0; i < set->cap; i++) {
        const char *s = set->keys[i];

        if (s == NULL) {
            continue;
        }
        if (n++ > 0) {
            *p++ = ',';
        }
        *p++ = '"';
        for (; *s; s++) {
            if (*s == '"' || *s == '\\') {
                *p++ = '\\';
            }
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return buf;
}

/* runs a cursor over sql, calling row() for every row */
typedef int (*row_fn)(void *ud, const PGresult *r, int i);

static int load_cursor(PGconn *conn, const char *what, const char *sql,
                       int nparams, const char *const *params,
                       void *ud, row_fn row, char *err,
                       size_t errlen)
{
    PGresult *r;
    char decl[1024];
    int i, n;

    if (mtw_pg_exec(conn, what, "BEGIN READ ONLY", err, errlen) != 0) {
        return -1;
    }
    snprintf(decl, sizeof(decl), "DECLARE mtw_sched NO SCROLL CURSOR FOR %s",
             sql);
    /* sql-vetted: callers pass literal queries (schedule_pg.c); DECLARE
     * wraps them, values stay parameters */
    r = mtw_pg_query(conn, what, decl, nparams, params, err, errlen);
    if (r == NULL) {
        mtw_pg_exec(conn, what, "ROLLBACK", err + strlen(err),
                    errlen - strlen(err));
        return -1;
    }
    PQclear(r);
    for (;;) {
        r = mtw_pg_query(conn, what, "FETCH " FETCH_ROWS " FROM mtw_sched",
                         0, NULL, err, errlen);
        if (r == NULL) {
            mtw_pg_exec(conn, what, "ROLLBACK", err + strlen(err),
                        errlen - strlen(err));
            return -1;
        }
        n = PQntuples(r);
        for (i = 0; i < n; i++) {
            if (row(ud, r, i) != 0) {
                PQclear(r);
                snprintf(err, errlen, "%s: out of memory", what);
                mtw_pg_exec(conn, what, "ROLLBACK", decl, sizeof(decl));
                return -1;
            }
        }
        PQclear(r);
        if (n == 0) {
            break;
        }
    }
    return mtw_pg_exec(conn, what, "COMMIT", err, errlen);
}

static int row_route(void *ud, const PGresult *r, int i)
{
    mtw_timetable *tt = ud;

    return mtw_tt_add_route(tt, val(r, i, 0), val(r, i, 1), val(r, i, 2),
                            val(r, i, 3), val(r, i, 4), ival(r, i, 5, 3));
}

static int row_stop(void *ud, const PGresult *r, int i)
{
    mtw_timetable *tt = ud;

    return mtw_tt_add_stop(tt, val(r, i, 0), val(r, i, 1),
                           atof(PQgetvalue(r, i, 2)),
                           atof(PQgetvalue(r, i, 3)));
}

static int row_trip(void *ud, const PGresult *r, int i)
{
    mtw_timetable *tt = ud;

    return mtw_tt_add_trip(tt, val(r, i, 0), val(r, i, 1), val(r, i, 2),
                           ival(r, i, 3, -1), val(r, i, 4), val(r, i, 5));
}

static int row_stop_time(void *ud, const PGresult *r, int i)
{
    mtw_timetable *tt = ud;

    return mtw_tt_add_stop_time(tt, val(r, i, 0), val(r, i, 1),
                                ival(r, i, 2, 0), ival(r, i, 3, -1),
                                ival(r, i, 4, -1));
}

static int row_frequency(void *ud, const PGresult *r, int i)
{
    mtw_timetable *tt = ud;

    return mtw_tt_add_frequency(tt, val(r, i, 0), ival(r, i, 1, 0),
                                ival(r, i, 2, 0), ival(r, i, 3, 0),
                                ival(r, i, 4, 0));
}

mtw_timetable *mtw_timetable_load(PGconn *conn, int city_id,
                                  int service_date, char *err,
                                  size_t errlen)
{
    mtw_timetable *tt = mtw_timetable_create();
    mtw_idmap set = { 0 };
    char id[16], *services = NULL;
    const char *p2[2];

    if (tt == NULL) {
        snprintf(err, errlen, "loading the schedule: out of memory");
        return NULL;
    }
    snprintf(id, sizeof(id), "%d", city_id);
    p2[0] = id;
    if (load_calendar(conn, id, tt, err, errlen) != 0) {
        goto fail;
    }
    if (service_date == 0) {
        return tt;
    }
    if (mtw_services_on(tt, service_date, &set) < 0
        || mtw_services_on(tt, mtw_date_add(service_date, -1), &set) < 0
        || (services = services_array(&set)) == NULL)
    {
        snprintf(err, errlen, "loading the schedule: out of memory");
        goto fail;
    }
    p2[1] = services;
    if (load_cursor(conn, "loading routes", "SELECT route_id, "
                    "route_short_name, route_long_name, route_color, "
                    "route_text_color, route_type FROM routes "
                    "WHERE city_id = $1", 1, p2, tt, row_route, err,
                    errlen) != 0
        || load_cursor(conn, "loading stops", "SELECT stop_id, stop_name, "
                       "stop_lat, stop_lon FROM stops WHERE city_id = $1 "
                       "AND stop_lat IS NOT NULL AND stop_lon IS NOT NULL",
                       1, p2, tt, row_stop, err, errlen) != 0
        || load_cursor(conn, "loading trips", "SELECT trip_id, route_id, "
                       "service_id, direction_id, shape_id, trip_headsign "
                       "FROM trips WHERE city_id = $1 "
                       "AND service_id = ANY($2::text[])", 2, p2, tt,
                       row_trip, err, errlen) != 0
        || load_cursor(conn, "loading stop_times", "SELECT st.trip_id, "
                       "st.stop_id, st.stop_sequence, st.arrival_time, "
                       "st.departure_time FROM stop_times st "
                       "JOIN trips t ON t.city_id = st.city_id "
                       "AND t.trip_id = st.trip_id WHERE st.city_id = $1 "
                       "AND t.city_id = $1 "
                       "AND t.service_id = ANY($2::text[])", 2, p2, tt,
                       row_stop_time, err, errlen) != 0
        || load_cursor(conn, "loading frequencies", "SELECT f.trip_id, "
                       "f.start_time, f.end_time, f.headway_secs, "
                       "coalesce(f.exact_times, 0) FROM frequencies f "
                       "JOIN trips t ON t.city_id = f.city_id "
                       "AND t.trip_id = f.trip_id WHERE f.city_id = $1 "
                       "AND t.city_id = $1 "
                       "AND t.service_id = ANY($2::text[])", 2, p2, tt,
                       row_frequency, err, errlen) != 0)
    {
        goto fail;
    }
    mtw_idmap_clear(&set);
    free(services);
    return tt;

fail:
    mtw_idmap_clear(&set);
    free(services);
    mtw_timetable_free(tt);
    return NULL;
}

int mtw_pick_service_date(PGconn *conn, const mtw_city_row *city,
                          const char *setting, int64_t now, int *date,
                          char *err, size_t errlen)
{
    int today = mtw_service_date_for(city->tz, now);
    mtw_timetable *tt;

    if (setting == NULL || setting[0] == '\0') {
        *date = today;
        return 0;
    }
    if (strcmp(setting, "auto") != 0) {
        if (mtw_date_parse(setting, date) != 0) {
            snprintf(err, errlen, "MTW_SERVICE_DATE: '%s' is not "
                     "YYYY-MM-DD or auto", setting);
            return -1;
        }
        return 0;
    }
    tt = mtw_timetable_load(conn, city->id, 0, err, errlen);
    if (tt == NULL) {
        return -1;
    }
    *date = mtw_service_date_auto(tt, today);
    mtw_timetable_free(tt);
    return 0;
}

int mtw_city_open(PGconn *conn, const char *slug, const char *setting,
                  int64_t now, mtw_city_row *city, int *date, char *err,
                  size_t errlen)
{
    int found = mtw_city_load(conn, slug, city, err, errlen);

    if (found == 0) {
        snprintf(err, errlen, "no city '%s' (run gtfs-load first)", slug);
    }
    if (found <= 0) {
        return -1;
    }
    return mtw_pick_service_date(conn, city, setting, now, date, err,
                                 errlen);
}

mtw_schedule *mtw_schedule_load(PGconn *conn, const mtw_city_row *city,
                                int service_date, int run_date, char *err,
                                size_t errlen)
{
    mtw_timetable *tt;
    mtw_schedule *s;

    tt = mtw_timetable_load(conn, city->id, service_date, err, errlen);
    if (tt == NULL) {
        return NULL;
    }
    s = mtw_schedule_build(tt, city->tz, service_date, run_date, err,
                           errlen);
    mtw_timetable_free(tt);
    /* the raw rows and libpq's batches were several times the schedule:
     * give that memory back instead of keeping the load's peak resident */
    malloc_trim(0);
    return s;
}

/* the shapes cursor's state: the shape being read */
typedef struct {
    mtw_shape_set *set;
    char route_id[256], shape_id[256];
    int open;
} shape_rows;

static int row_shape(void *ud, const PGresult *r, int i)
{
    shape_rows *st = ud;
    const char *route = PQgetvalue(r, i, 0), *shape = PQgetvalue(r, i, 2);

    if (!st->open || strcmp(route, st->route_id) != 0
        || strcmp(shape, st->shape_id) != 0)
    {
        if (st->open) {
            mtw_shape_end(st->set, MTW_SHAPE_TOLERANCE_M);
        }
        snprintf(st->route_id, sizeof(st->route_id), "%s", route);
        snprintf(st->shape_id, sizeof(st->shape_id), "%s", shape);
        if (mtw_shape_begin(st->set, route, shape, ival(r, i, 1, -1)) != 0) {
            st->open = 0;
            return -1;
        }
        st->open = 1;
    }
    return mtw_shape_point(st->set, atof(PQgetvalue(r, i, 3)),
                           atof(PQgetvalue(r, i, 4)));
}

int mtw_shapes_load(PGconn *conn, int city_id, mtw_shape_set *set,
                    char *err, size_t errlen)
{
    shape_rows st;
    char id[16];
    const char *params[1];
    int rc;

    memset(&st, 0, sizeof(st));
    st.set = set;
    snprintf(id, sizeof(id), "%d", city_id);
    params[0] = id;
    /* each route's distinct shapes (a shape shared by two routes is drawn
     * for both), the direction of the first trip that follows it */
    rc = load_cursor(conn, "loading shapes", "SELECT t.route_id, "
                     "t.direction_id, t.shape_id, s.shape_pt_lat, "
                     "s.shape_pt_lon FROM (SELECT DISTINCT ON (route_id, "
                     "shape_id) route_id, direction_id, shape_id FROM trips "
                     "WHERE city_id = $1 AND shape_id IS NOT NULL "
                     "ORDER BY route_id, shape_id, direction_id) t "
                     "JOIN shapes s ON s.city_id = $1 "
                     "AND s.shape_id = t.shape_id "
                     "ORDER BY t.route_id, t.shape_id, s.shape_pt_sequence",
                     1, params, &st, row_shape, err, errlen);
    if (st.open) {
        mtw_shape_end(set, MTW_SHAPE_TOLERANCE_M);
    }
    return rc;
}

static int cmp_history(const void *a, const void *b)
{
    return strcmp(((const mtw_route_history *) a)->route_id,
                  ((const mtw_route_history *) b)->route_id);
}

/* each route's on-time % by the day's weather (reference §8.5, per-route
 * weather impact): the daily rows linked to an observation */
static int history_weather(PGconn *conn, mtw_history *h,
                           const char *const *params, char *err,
                           size_t errlen)
{
    mtw_route_history key, *row;
    PGresult *r;
    int i;

    r = mtw_pg_query(conn, "loading the routes' weather",
        "SELECT r.route_id, w.weather_condition, "
        "round(avg(r.on_time_pct), 1)::float8, count(*) "
        "FROM route_performance_daily r JOIN weather_observation w "
        "ON w.id = r.weather_observation_id WHERE r.city_id = $1 "
        "AND r.service_date < $2::date AND r.on_time_pct IS NOT NULL "
        "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
        2, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    for (i = 0; i < PQntuples(r); i++) {
        key.route_id = PQgetvalue(r, i, 0);
        row = bsearch(&key, h->rows, h->n, sizeof(*h->rows), cmp_history);
        if (row == NULL || row->nweather == MTW_WEATHER_CONDITIONS) {
            continue;
        }
        row->weather[row->nweather].condition =
            mtw_arena_strdup(h->arena, PQgetvalue(r, i, 1));
        row->weather[row->nweather].avg_pct = atof(PQgetvalue(r, i, 2));
        row->weather[row->nweather].days = atoi(PQgetvalue(r, i, 3));
        if (row->weather[row->nweather].condition == NULL) {
            PQclear(r);
            snprintf(err, errlen, "loading the routes' weather: out of "
                     "memory");
            return -1;
        }
        row->nweather++;
    }
    PQclear(r);
    return 0;
}

/* the daily values behind each route's trend chart (reference §5.3) */
static int history_trend(PGconn *conn, mtw_history *h,
                         const char *const *params, char *err, size_t errlen)
{
    PGresult *r;
    int i, j;

    r = mtw_pg_query(conn, "loading the route trends",
        "SELECT route_id, to_char(service_date, 'Mon FMDD'), "
        "on_time_pct::float8 FROM route_performance_daily "
        "WHERE city_id = $1 AND service_date >= $2::date - 30 "
        "AND service_date < $2::date ORDER BY route_id, service_date",
        2, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    for (i = 0; i < PQntuples(r); i = j) {
        mtw_route_history key, *row;
        const char **dates;
        double *pct;
        int k;

        for (j = i + 1; j < PQntuples(r)
             && strcmp(PQgetvalue(r, j, 0), PQgetvalue(r, i, 0)) == 0; j++)
        {
        }
        key.route_id = PQgetvalue(r, i, 0);
        row = bsearch(&key, h->rows, h->n, sizeof(*h->rows), cmp_history);
        if (row == NULL) {
            continue;           /* no value on any day: no trend */
        }
        dates = mtw_arena_calloc(h->arena, (size_t) (j - i) * sizeof(*dates));
        pct = mtw_arena_calloc(h->arena, (size_t) (j - i) * sizeof(*pct));
        if (dates == NULL || pct == NULL) {
            PQclear(r);
            snprintf(err, errlen, "loading the route trends: out of memory");
            return -1;
        }
        for (k = i; k < j; k++) {
            dates[k - i] = mtw_arena_strdup(h->arena, PQgetvalue(r, k, 1));
            pct[k - i] = PQgetisnull(r, k, 2) ? NAN
                                              : atof(PQgetvalue(r, k, 2));
        }
        row->trend_dates = dates;
        row->trend_pct = pct;
        row->ntrend = j - i;
    }
    PQclear(r);
    return 0;
}

/* the row of a route, or NULL (a route without any daily value) */
static mtw_route_history *history_row(mtw_history *h, const char *route_id)
{
    mtw_route_history key;

    key.route_id = route_id;
    return bsearch(&key, h->rows, h->n, sizeof(*h->rows), cmp_history);
}

/*
 * On-time % by local weekday (Mon 0) and time of day (the reference's 7
 * buckets, §7.5) from the 30 days' arrivals, in the city's time zone.
 */
static int history_heatmap(PGconn *conn, mtw_history *h,
                           const char *const *params, char *err,
                           size_t errlen)
{
    PGresult *r;
    int i;

    r = mtw_pg_query(conn, "loading the heatmaps",
        "SELECT a.route_id, extract(isodow FROM x.local)::int - 1, "
        "CASE WHEN extract(hour FROM x.local) < 6 THEN 0 "
        "WHEN extract(hour FROM x.local) < 9 THEN 1 "
        "WHEN extract(hour FROM x.local) < 12 THEN 2 "
        "WHEN extract(hour FROM x.local) < 15 THEN 3 "
        "WHEN extract(hour FROM x.local) < 18 THEN 4 "
        "WHEN extract(hour FROM x.local) < 21 THEN 5 ELSE 6 END, "
        "count(*), round(100.0 * count(*) FILTER (WHERE a.delay_sec "
        "BETWEEN -$3::int AND $4::int) / count(*), 1)::float8 "
        "FROM arrival_log a JOIN city c ON c.id = a.city_id, "
        "LATERAL (SELECT a.arrived_at AT TIME ZONE c.timezone AS local) x "
        "WHERE a.city_id = $1 AND a.service_date >= $2::date - 30 "
        "AND a.service_date < $2::date AND a.delay_sec IS NOT NULL "
        "GROUP BY 1, 2, 3", 4, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    for (i = 0; i < PQntuples(r); i++) {
        mtw_route_history *row = history_row(h, PQgetvalue(r, i, 0));
        int d = atoi(PQgetvalue(r, i, 1)), b = atoi(PQgetvalue(r, i, 2));

        if (row == NULL || d < 0 || d >= MTW_HEAT_DAYS || b < 0
            || b >= MTW_HEAT_BUCKETS)
        {
            continue;
        }
        row->heat[d][b] = atof(PQgetvalue(r, i, 4));
        row->heat_samples += atoi(PQgetvalue(r, i, 3));
    }
    PQclear(r);
    return 0;
}

/*
 * Each direction's stops with 10 arrivals or more over the 30 days, in
 * stop order (reference §7.5, without its stop_times join that counted an
 * arrival once per trip serving the stop, and under both directions).
 */
static int history_stops(PGconn *conn, mtw_history *h,
                         const char *const *params, char *err, size_t errlen)
{
    PGresult *r;
    int i, j;

    r = mtw_pg_query(conn, "loading the stop reliability",
        "SELECT a.route_id, CASE WHEN a.direction_id = 1 THEN 1 ELSE 0 END, "
        "a.stop_id, coalesce(s.stop_name, a.stop_id), min(a.stop_sequence), "
        "count(*), round(avg(a.delay_sec))::int, round(100.0 * count(*) "
        "FILTER (WHERE a.delay_sec BETWEEN -$3::int AND $4::int) "
        "/ count(*), 1)::float8 "
        "FROM arrival_log a LEFT JOIN stops s ON s.city_id = a.city_id "
        "AND s.stop_id = a.stop_id WHERE a.city_id = $1 "
        "AND a.service_date >= $2::date - 30 AND a.service_date < $2::date "
        "AND a.delay_sec IS NOT NULL GROUP BY 1, 2, 3, 4 "
        "HAVING count(*) >= 10 ORDER BY 1, 2, 5, 3", 4, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    for (i = 0; i < PQntuples(r); i = j) {
        mtw_route_history *row = history_row(h, PQgetvalue(r, i, 0));
        int dir = atoi(PQgetvalue(r, i, 1)), k;
        mtw_stop_reliability *st;

        for (j = i + 1; j < PQntuples(r)
             && strcmp(PQgetvalue(r, j, 0), PQgetvalue(r, i, 0)) == 0
             && atoi(PQgetvalue(r, j, 1)) == dir; j++)
        {
        }
        if (row == NULL) {
            continue;
        }
        st = mtw_arena_calloc(h->arena, (size_t) (j - i) * sizeof(*st));
        if (st == NULL) {
            PQclear(r);
            snprintf(err, errlen, "loading the stop reliability: out of "
                     "memory");
            return -1;
        }
        for (k = i; k < j; k++) {
            mtw_stop_reliability *x = &st[k - i];

            x->stop_id = mtw_arena_strdup(h->arena, PQgetvalue(r, k, 2));
            x->name = mtw_arena_strdup(h->arena, PQgetvalue(r, k, 3));
            x->sequence = atoi(PQgetvalue(r, k, 4));
            x->samples = atoi(PQgetvalue(r, k, 5));
            x->avg_delay = atoi(PQgetvalue(r, k, 6));
            x->on_time_pct = atof(PQgetvalue(r, k, 7));
            if (x->stop_id == NULL || x->name == NULL) {
                PQclear(r);
                snprintf(err, errlen, "loading the stop reliability: out of "
                         "memory");
                return -1;
            }
        }
        row->stops[dir] = st;
        row->nstops[dir] = j - i;
    }
    PQclear(r);
    return 0;
}

mtw_history *mtw_history_load(PGconn *conn, int city_id, int service_date,
                              const mtw_otp_window *w, char *err,
                              size_t errlen)
{
    char id[16], date[16], early[16], late[16];
    const char *params[4] = { id, date, early, late };
    mtw_history *h;
    PGresult *r;
    int i, d, b;

    snprintf(id, sizeof(id), "%d", city_id);
    snprintf(date, sizeof(date), "%08d", service_date);
    snprintf(early, sizeof(early), "%d", w->early_sec);
    snprintf(late, sizeof(late), "%d", w->late_sec);
    h = calloc(1, sizeof(*h));
    if (h == NULL || (h->arena = mtw_arena_create(16 * 1024)) == NULL) {
        free(h);
        snprintf(err, errlen, "loading history: out of memory");
        return NULL;
    }
    h->system_median = 75.0;
    /* best / worst: the first such day in date order wins ties (§2.10) */
    r = mtw_pg_query(conn, "loading route history",
        "SELECT route_id, count(*), avg(on_time_pct)::float8, "
        "(array_agg(on_time_pct::float8 ORDER BY on_time_pct DESC, "
        "service_date))[1], (array_agg(to_char(service_date, 'Mon FMDD') "
        "ORDER BY on_time_pct DESC, service_date))[1], "
        "(array_agg(on_time_pct::float8 ORDER BY on_time_pct, "
        "service_date))[1], (array_agg(to_char(service_date, 'Mon FMDD') "
        "ORDER BY on_time_pct, service_date))[1], "
        "count(schedule_realism_ratio), "
        "avg(schedule_realism_ratio)::float8, "
        "coalesce(sum(observed_trips) FILTER (WHERE scheduled_trips > 0), "
        "0), coalesce(sum(scheduled_trips) FILTER (WHERE scheduled_trips "
        "> 0), 0), "
        "coalesce(sum(canceled_trips) FILTER (WHERE scheduled_trips > 0), "
        "0), coalesce(sum(skipped_stops) FILTER (WHERE scheduled_trips "
        "> 0), 0) "
        "FROM route_performance_daily WHERE city_id = $1 "
        "AND service_date >= $2::date - 30 AND service_date < $2::date "
        "AND on_time_pct IS NOT NULL GROUP BY route_id",
        2, params, err, errlen);
    if (r == NULL) {
        mtw_history_free(h);
        return NULL;
    }
    h->rows = mtw_arena_calloc(h->arena, ((size_t) PQntuples(r) + 1)
                              * sizeof(*h->rows));
    if (h->rows == NULL) {
        PQclear(r);
        mtw_history_free(h);
        snprintf(err, errlen, "loading history: out of memory");
        return NULL;
    }
    for (i = 0; i < PQntuples(r); i++) {
        mtw_route_history *row = &h->rows[h->n++];

        row->route_id = mtw_arena_strdup(h->arena, PQgetvalue(r, i, 0));
        row->days = atoi(PQgetvalue(r, i, 1));
        row->mean = atof(PQgetvalue(r, i, 2));
        row->best = atof(PQgetvalue(r, i, 3));
        row->best_day = mtw_arena_strdup(h->arena, PQgetvalue(r, i, 4));
        row->worst = atof(PQgetvalue(r, i, 5));
        row->worst_day = mtw_arena_strdup(h->arena, PQgetvalue(r, i, 6));
        row->realism_days = atoi(PQgetvalue(r, i, 7));
        row->realism = PQgetisnull(r, i, 8) ? NAN
                                            : atof(PQgetvalue(r, i, 8));
        row->trips_observed = atol(PQgetvalue(r, i, 9));
        row->trips_scheduled = atol(PQgetvalue(r, i, 10));
        row->trips_canceled = atol(PQgetvalue(r, i, 11));
        row->stops_skipped = atol(PQgetvalue(r, i, 12));
        for (d = 0; d < MTW_HEAT_DAYS; d++) {
            for (b = 0; b < MTW_HEAT_BUCKETS; b++) {
                row->heat[d][b] = NAN;
            }
        }
    }
    PQclear(r);
    mtw_sort(h->rows, h->n, sizeof(*h->rows), cmp_history);
    if (history_trend(conn, h, params, err, errlen) != 0
        || history_heatmap(conn, h, params, err, errlen) != 0
        || history_stops(conn, h, params, err, errlen) != 0
        || history_weather(conn, h, params, err, errlen) != 0)
    {
        mtw_history_free(h);
        return NULL;
    }
    /* the system prior: median over all route-days (reference §3.5); and
     * yesterday against the day before, over routes with both (the
     * reference compared today's daily row, which never exists before
     * tomorrow: always 0) */
    h->day_change = NAN;
    r = mtw_pg_query(conn, "loading the system median and the last day",
        "SELECT (SELECT percentile_cont(0.5) WITHIN GROUP "
        "(ORDER BY on_time_pct) FROM route_performance_daily "
        "WHERE city_id = $1 AND service_date >= $2::date - 30 "
        "AND service_date < $2::date AND on_time_pct IS NOT NULL), "
        "(SELECT avg(a.on_time_pct - b.on_time_pct)::float8 "
        "FROM route_performance_daily a JOIN route_performance_daily b "
        "ON b.city_id = a.city_id AND b.route_id = a.route_id "
        "AND b.service_date = a.service_date - 1 WHERE a.city_id = $1 "
        "AND a.service_date = $2::date - 1 AND a.on_time_pct IS NOT NULL "
        "AND b.on_time_pct IS NOT NULL)", 2, params, err, errlen);
    if (r == NULL) {
        mtw_history_free(h);
        return NULL;
    }
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        h->system_median = atof(PQgetvalue(r, 0, 0));
    }
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 1)) {
        h->day_change = atof(PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return h;
}

void mtw_history_free(mtw_history *h)
{
    if (h == NULL) {
        return;
    }
    mtw_arena_destroy(h->arena);
    free(h);
}
