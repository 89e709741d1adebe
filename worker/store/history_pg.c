/*
 * history_pg.c - history rows into PostgreSQL (see history_pg.h).
 */
#include "store/history_pg.h"
#include "score/day.h"
#include "util/jbuf.h"
#include "store/pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARR_BATCH 200           /* rows per INSERT */
#define ARR_COLS 13
#define ARR_VEHICLE 8          /* the column given as JSON */

static void fmt_ts(char *buf, size_t n, int64_t epoch)
{
    struct tm tm;
    time_t t = (time_t) epoch;

    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S+00", &tm);
}

/* INSERT ... VALUES (...), ... for rows rows: 12 parameters a row, the
 * vehicle id (from the feed, maybe not UTF-8) taken from one last JSON
 * array parameter written by jbuf, which makes any byte string valid
 * text; the SQL holds only placeholder numbers the worker produced */
static char *arrivals_sql(size_t rows)
{
    static const char head[] =
        "INSERT INTO arrival_log (city_id, service_date, route_id, trip_id, "
        "trip_start_time, direction_id, stop_id, stop_sequence, vehicle_id, "
        "scheduled_at, arrived_at, delay_sec, source) VALUES ";
    static const char tail[] = " ON CONFLICT DO NOTHING";
    size_t cap = sizeof(head) + sizeof(tail) + rows * ARR_COLS * 8
                 + rows * 40;
    char *sql = malloc(cap), *p;
    size_t r, k;
    int c;

    if (sql == NULL) {
        return NULL;
    }
    p = sql + sprintf(sql, "%s", head);
    for (r = 0; r < rows; r++) {
        *p++ = r ? ',' : '(';
        if (r) {
            *p++ = '(';
        }
        for (c = 0, k = r * (ARR_COLS - 1) + 1; c < ARR_COLS; c++) {
            if (c == ARR_VEHICLE) {
                p += sprintf(p, ",($%zu::jsonb ->> %zu)",
                             rows * (ARR_COLS - 1) + 1, r);
            } else {
                p += sprintf(p, "%s$%zu", c ? "," : "", k++);
            }
        }
        *p++ = ')';
    }
    sprintf(p, "%s", tail);
    return sql;
}

typedef struct {
    char city[16], date[16], start[16], dir[8], seq[16], sched[40],
         arr[40], delay[16];
} arr_vals;

/* one reported cancellation or skipped stop into service_exception */
static long insert_exception(PGconn *conn, const char *city,
                             const mtw_arrival *x, mtw_jbuf *vid,
                             char *err, size_t errlen)
{
    char date[16], start[16], dir[8], seq[16], sched[40], at[40];
    const char *params[12];
    PGresult *r;
    long n;

    /* the vehicle id, from the feed, as arrivals_sql() takes it */
    mtw_jbuf_reset(vid);
    mtw_jw_arr(vid);
    mtw_jw_str(vid, x->vehicle_id);
    mtw_jw_arr_end(vid);
    if (vid->failed) {
        snprintf(err, errlen, "logging service exceptions: out of memory");
        return -1;
    }

    snprintf(date, sizeof(date), "%08d", x->service_date);
    snprintf(start, sizeof(start), "%d", (int) x->trip_start);
    snprintf(dir, sizeof(dir), "%d", x->direction);
    snprintf(seq, sizeof(seq), "%d", (int) x->seq);
    fmt_ts(sched, sizeof(sched), x->scheduled_at);
    fmt_ts(at, sizeof(at), x->arrived_at);
    params[0] = city;
    params[1] = date;
    params[2] = x->route_id;
    params[3] = x->trip_id;
    params[4] = start;
    params[5] = x->direction >= 0 ? dir : NULL;
    params[6] = x->source == MTW_ARR_CANCELED ? "canceled" : "skipped";
    params[7] = x->stop_id[0] != '\0' ? x->stop_id : NULL;
    params[8] = seq;
    params[9] = x->vehicle_id[0] != '\0' ? vid->buf : NULL;
    params[10] = x->scheduled_at > 0 ? sched : NULL;
    params[11] = at;
    r = mtw_pg_query(conn, "logging service exceptions",
        "INSERT INTO service_exception (city_id, service_date, route_id, "
        "trip_id, trip_start_time, direction_id, kind, stop_id, "
        "stop_sequence, vehicle_id, scheduled_at, reported_at) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb ->> 0, $11, $12) "
        "ON CONFLICT DO NOTHING",
        12, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    n = atol(PQcmdTuples(r));
    PQclear(r);
    return n;
}

long mtw_histpg_arrivals(PGconn *conn, int city_id, const mtw_arrival *a,
                         size_t n, long *exceptions, char *err,
                         size_t errlen)
{
    const char **params;
    arr_vals *vals;
    mtw_jbuf vids;
    PGresult *r;
    size_t i, k, rows, narr = 0, *pick;
    long inserted = 0, one;

    *exceptions = 0;
    char *sql, city[16];

    if (n == 0) {
        return 0;
    }
    params = calloc(ARR_BATCH * ARR_COLS, sizeof(*params));
    vals = calloc(ARR_BATCH, sizeof(*vals));
    pick = calloc(n, sizeof(*pick));
    if (params == NULL || vals == NULL || pick == NULL) {
        free(params);
        free(vals);
        free(pick);
        snprintf(err, errlen, "logging arrivals: out of memory");
        return -1;
    }
    if (mtw_pg_exec(conn, "logging arrivals", "BEGIN", err, errlen) != 0) {
        free(params);
        free(vals);
        free(pick);
        return -1;
    }
    mtw_jbuf_init(&vids);
    /* the feed's exceptions one by one (a few a tick), the arrivals in
     * batches */
    snprintf(city, sizeof(city), "%d", city_id);
    for (i = 0; i < n; i++) {
        if (!MTW_ARR_IS_EXCEPTION(a[i].source)) {
            pick[narr++] = i;
            continue;
        }
        one = insert_exception(conn, city, &a[i], &vids, err, errlen);
        if (one < 0) {
            goto fail;
        }
        *exceptions += one;
    }
    for (i = 0; i < narr; i += rows) {
        rows = narr - i < ARR_BATCH ? narr - i : ARR_BATCH;
        for (k = 0; k < rows; k++) {
            const mtw_arrival *x = &a[pick[i + k]];
            arr_vals *v = &vals[k];
            const char **p = params + k * (ARR_COLS - 1);

            snprintf(v->city, sizeof(v->city), "%d", city_id);
            snprintf(v->date, sizeof(v->date), "%08d", x->service_date);
            snprintf(v->start, sizeof(v->start), "%d", (int) x->trip_start);
            snprintf(v->dir, sizeof(v->dir), "%d", x->direction);
            snprintf(v->seq, sizeof(v->seq), "%d", (int) x->seq);
            fmt_ts(v->sched, sizeof(v->sched), x->scheduled_at);
            fmt_ts(v->arr, sizeof(v->arr), x->arrived_at);
            snprintf(v->delay, sizeof(v->delay), "%d", x->delay);
            p[0] = v->city;
            p[1] = v->date;
            p[2] = x->route_id;
            p[3] = x->trip_id;
            p[4] = v->start;
            p[5] = x->direction >= 0 ? v->dir : NULL;
            p[6] = x->stop_id;
            p[7] = v->seq;
            p[8] = x->scheduled_at > 0 ? v->sched : NULL;
            p[9] = v->arr;
            p[10] = x->has_delay ? v->delay : NULL;
            p[11] = mtw_arrival_source_str(x->source);
        }
        mtw_jbuf_reset(&vids);
        mtw_jw_arr(&vids);
        for (k = 0; k < rows; k++) {
            mtw_jw_str(&vids, a[pick[i + k]].vehicle_id);
        }
        mtw_jw_arr_end(&vids);
        if (vids.failed) {
            snprintf(err, errlen, "logging arrivals: out of memory");
            goto fail;
        }
        params[rows * (ARR_COLS - 1)] = vids.buf;
        sql = arrivals_sql(rows);
        if (sql == NULL) {
            snprintf(err, errlen, "logging arrivals: out of memory");
            goto fail;
        }
        /* sql-vetted: arrivals_sql() writes only placeholders ($1..$n) for
         * a row count; every value is a parameter */
        r = mtw_pg_query(conn, "logging arrivals", sql,
                         (int) (rows * (ARR_COLS - 1) + 1), params, err,
                         errlen);
        free(sql);
        if (r == NULL) {
            goto fail;
        }
        inserted += atol(PQcmdTuples(r));
        PQclear(r);
    }
    free(params);
    free(vals);
    free(pick);
    mtw_jbuf_free(&vids);
    if (mtw_pg_exec(conn, "logging arrivals", "COMMIT", err, errlen) != 0) {
        return -1;
    }
    return inserted;

fail:
    free(params);
    free(vals);
    free(pick);
    mtw_jbuf_free(&vids);
    mtw_pg_exec(conn, "logging arrivals", "ROLLBACK", NULL, 0);
    return -1;
}

long mtw_histpg_bunching(PGconn *conn, int city_id, const mtw_bunching *b,
                         size_t n, char *err, size_t errlen)
{
    char city[16], date[16], dir[8], at[40], hw[16], sh[16], resume[16];
    const char *params[10];
    mtw_jbuf ids;
    PGresult *r;
    long inserted = 0;
    size_t i;
    int k;

    if (n == 0) {
        return 0;
    }
    if (mtw_pg_exec(conn, "recording bunching", "BEGIN", err, errlen) != 0) {
        return -1;
    }
    mtw_jbuf_init(&ids);
    snprintf(city, sizeof(city), "%d", city_id);
    for (i = 0; i < n; i++) {
        mtw_jbuf_reset(&ids);
        mtw_jw_arr(&ids);
        for (k = 0; k < b[i].nvehicles; k++) {
            mtw_jw_str(&ids, b[i].vehicle_ids[k]);
        }
        mtw_jw_arr_end(&ids);
        if (ids.failed) {
            snprintf(err, errlen, "recording bunching: out of memory");
            goto fail;
        }
        snprintf(date, sizeof(date), "%08d", b[i].service_date);
        snprintf(dir, sizeof(dir), "%d", b[i].direction);
        fmt_ts(at, sizeof(at), b[i].detected_at);
        snprintf(hw, sizeof(hw), "%d", b[i].headway);
        snprintf(sh, sizeof(sh), "%d", b[i].scheduled);
        snprintf(resume, sizeof(resume), "%d",
                 b[i].resumable ? MTW_BUNCH_RESUME_SEC : 0);
        params[0] = city;
        params[1] = date;
        params[2] = b[i].route_id;
        params[3] = b[i].direction >= 0 ? dir : NULL;
        params[4] = b[i].stop_id;
        params[5] = at;
        params[6] = ids.buf;
        params[7] = b[i].headway >= 0 ? hw : NULL;
        params[8] = b[i].scheduled > 0 ? sh : NULL;
        params[9] = resume;
        /* a resumable episode continuing a recent incident of the same
         * route-direction is that incident (a restart mid-episode) */
        r = mtw_pg_query(conn, "recording bunching",
            "INSERT INTO bunching_incident (city_id, service_date, route_id, "
            "direction_id, stop_id, detected_at, vehicle_ids, headway_sec, "
            "scheduled_headway_sec) SELECT $1::int, $2::date, $3::text, "
            "$4::smallint, $5::text, $6::timestamptz, "
            "ARRAY(SELECT jsonb_array_elements_text($7::jsonb)), $8::int, "
            "$9::int WHERE $10::int = 0 OR NOT EXISTS (SELECT 1 FROM "
            "bunching_incident o WHERE o.city_id = $1::int "
            "AND o.route_id = $3::text "
            "AND o.direction_id IS NOT DISTINCT FROM $4::smallint "
            "AND o.detected_at <= $6::timestamptz "
            "AND o.detected_at > $6::timestamptz - $10::int * "
            "interval '1 second') ON CONFLICT DO NOTHING",
            10, params, err, errlen);
        if (r == NULL) {
            goto fail;
        }
        inserted += atol(PQcmdTuples(r));
        PQclear(r);
    }
    mtw_jbuf_free(&ids);
    if (mtw_pg_exec(conn, "recording bunching", "COMMIT", err, errlen) != 0) {
        return -1;
    }
    return inserted;

fail:
    mtw_jbuf_free(&ids);
    mtw_pg_exec(conn, "recording bunching", "ROLLBACK", NULL, 0);
    return -1;
}

int mtw_histpg_day_done(PGconn *conn, int city_id, int ymd, char *err,
                        size_t errlen)
{
    char city[16], date[16];
    const char *params[2] = { city, date };
    PGresult *r;
    int found;

    snprintf(city, sizeof(city), "%d", city_id);
    snprintf(date, sizeof(date), "%08d", ymd);
    r = mtw_pg_query(conn, "checking the daily aggregate",
        "SELECT EXISTS (SELECT 1 FROM route_performance_daily "
        "WHERE city_id = $1 AND service_date = $2)", 2, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    found = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return found;
}

/* one route's row: the day's numbers into route_performance_daily */
static int upsert_route(PGconn *conn, const char *city, const char *date,
                        const char *route, const mtw_day_perf *p,
                        const mtw_day_regularity *g, const char *arrivals,
                        const char *trips, const char *bunching,
                        const char *realism, const char *scheduled,
                        const char *canceled, const char *skipped,
                        char *err, size_t errlen)
{
    char avg[16], med[16], on[16], early[16], late[16], cv[24], ewt[24],
         gaps[16];
    const char *params[20];
    PGresult *r;

    snprintf(avg, sizeof(avg), "%d", p->avg_delay);
    snprintf(med, sizeof(med), "%d", p->median_delay);
    snprintf(on, sizeof(on), "%.2f", p->on_time_pct);
    snprintf(early, sizeof(early), "%.2f", p->early_pct);
    snprintf(late, sizeof(late), "%.2f", p->late_pct);
    params[0] = city;
    params[1] = route;
    params[2] = date;
    params[3] = arrivals;
    params[4] = trips;
    params[5] = p->n ? avg : NULL;
    params[6] = p->n ? med : NULL;
    params[7] = p->n ? on : NULL;
    params[8] = p->n ? early : NULL;
    params[9] = p->n ? late : NULL;
    params[10] = bunching;
    params[11] = realism;
    /* the reference's A-D grade of the day's on-time share (F below D) */
    params[12] = p->n ? mtw_grade_str(mtw_grade_from_pct(p->on_time_pct, 0))
                      : NULL;
    /* regularity: NULL where it cannot be computed (under 2 headways) */
    snprintf(cv, sizeof(cv), "%.3f", g->cv);
    snprintf(ewt, sizeof(ewt), "%ld", lround(g->excess_wait));
    snprintf(gaps, sizeof(gaps), "%d", g->gaps);
    params[13] = g->cv == g->cv ? cv : NULL;
    params[14] = g->cv == g->cv ? mtw_los_str(g->los) : NULL;
    params[15] = g->excess_wait == g->excess_wait ? ewt : NULL;
    params[16] = gaps;
    params[17] = scheduled;
    params[18] = canceled;
    params[19] = skipped;
    r = mtw_pg_query(conn, "writing the daily aggregate",
        "INSERT INTO route_performance_daily (city_id, route_id, "
        "service_date, observed_arrivals, observed_trips, avg_delay_sec, "
        "median_delay_sec, on_time_pct, early_pct, late_pct, bunching_count, "
        "schedule_realism_ratio, grade, headway_cv, headway_los, "
        "excess_wait_sec, gap_count, scheduled_trips, canceled_trips, "
        "skipped_stops) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
        "$14, $15, $16, $17, $18, $19, $20) "
        "ON CONFLICT (city_id, route_id, service_date) DO UPDATE SET "
        "observed_arrivals = EXCLUDED.observed_arrivals, "
        "observed_trips = EXCLUDED.observed_trips, "
        "avg_delay_sec = EXCLUDED.avg_delay_sec, "
        "median_delay_sec = EXCLUDED.median_delay_sec, "
        "on_time_pct = EXCLUDED.on_time_pct, "
        "early_pct = EXCLUDED.early_pct, late_pct = EXCLUDED.late_pct, "
        "bunching_count = EXCLUDED.bunching_count, "
        "schedule_realism_ratio = EXCLUDED.schedule_realism_ratio, "
        "grade = EXCLUDED.grade, headway_cv = EXCLUDED.headway_cv, "
        "headway_los = EXCLUDED.headway_los, "
        "excess_wait_sec = EXCLUDED.excess_wait_sec, "
        "gap_count = EXCLUDED.gap_count, "
        "scheduled_trips = EXCLUDED.scheduled_trips, "
        "canceled_trips = EXCLUDED.canceled_trips, "
        "skipped_stops = EXCLUDED.skipped_stops, updated_at = now()",
        20, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    PQclear(r);
    return 0;
}

/* the day's rows, as the COPY hands them over, into the aggregate */
static int day_row(void *arg, const mtw_pg_field *f, int n)
{
    mtw_day_row row;

    if (n != 8 || f[0].len < 0 || f[2].len < 0 || f[3].len < 0
        || f[4].len != 4 || f[6].len != 8
        || (f[1].len >= 0 && f[1].len != 2)
        || (f[5].len >= 0 && f[5].len != 8)
        || (f[7].len >= 0 && f[7].len != 4))
    {
        return -1;
    }
    row.route_id = f[0].data;
    row.direction = f[1].len < 0 ? -1 : mtw_pg_int2(&f[1]);
    row.stop_id = f[2].data;
    row.trip_id = f[3].data;
    row.trip_start = mtw_pg_int4(&f[4]);
    row.has_sched = f[5].len >= 0;
    row.scheduled_at = row.has_sched ? mtw_pg_epoch(&f[5]) : 0;
    row.arrived_at = mtw_pg_epoch(&f[6]);
    row.has_delay = f[7].len >= 0;
    row.delay = row.has_delay ? mtw_pg_int4(&f[7]) : 0;
    return mtw_day_add(arg, &row);
}

/* the value of route in a result sorted by route_id (column 0), walking
 * *at forward; NULL when the route has no row */
static const char *by_route(const PGresult *r, int *at, const char *route,
                            int col)
{
    while (*at < PQntuples(r) && strcmp(PQgetvalue(r, *at, 0), route) < 0) {
        (*at)++;
    }
    if (*at < PQntuples(r) && strcmp(PQgetvalue(r, *at, 0), route) == 0) {
        return PQgetvalue(r, *at, col);
    }
    return NULL;
}

long mtw_histpg_aggregate(PGconn *conn, int city_id, int ymd,
                          const mtw_otp_window *w, char *err, size_t errlen)
{
    char city[16], date[16], copy[640], arrivals[24], trips[24],
         realism[24];
    const char *params[2] = { city, date }, *bunching, *scheduled,
               *canceled, *skipped;
    PGresult *incidents = NULL, *exceptions = NULL, *sched = NULL;
    const mtw_day_route *routes;
    mtw_day_route none;
    mtw_headway_sums no_pairs;
    mtw_day *day;
    size_t i, nroutes;
    int b = 0, m = 0, e;
    long written = 0;

    snprintf(city, sizeof(city), "%d", city_id);
    snprintf(date, sizeof(date), "%08d", ymd);
    day = mtw_day_create(w);
    if (day == NULL) {
        snprintf(err, errlen, "aggregating the day: out of memory");
        return -1;
    }
    if (mtw_pg_exec(conn, "aggregating the day", "BEGIN", err, errlen) != 0) {
        mtw_day_free(day);
        return -1;
    }
    /* the day's rows in the headway index's order (0004): route, then
     * each stop's trip runs in scheduled order, so the pairs of
     * consecutive runs come in one pass with no sort on either side (a
     * window function over a large city's million rows cost a second) */
    snprintf(copy, sizeof(copy),
             "COPY (SELECT route_id, direction_id, stop_id, trip_id, "
             "trip_start_time, scheduled_at, arrived_at, delay_sec "
             "FROM arrival_log WHERE city_id = %d AND service_date = "
             "'%08d'::date ORDER BY route_id, direction_id, stop_id, "
             "scheduled_at) TO STDOUT (FORMAT binary)", city_id, ymd);
    /* sql-vetted: COPY takes no parameters; the text holds two integers
     * the worker produced (its city id, a date it validated as YYYYMMDD) */
    if (mtw_pg_copy_out(conn, "aggregating the day", copy, day_row, day,
                        err, errlen) < 0)
    {
        goto fail;
    }
    incidents = mtw_pg_query(conn, "aggregating the day",
        "SELECT route_id, count(*) FROM bunching_incident "
        "WHERE city_id = $1 AND service_date = $2 GROUP BY route_id "
        "ORDER BY route_id", 2, params, err, errlen);
    if (incidents == NULL) {
        goto fail;
    }
    /* the service the feed said would not run: a cancelled run that was
     * seen running after all (reinstated) is not counted */
    exceptions = mtw_pg_query(conn, "aggregating the day",
        "SELECT e.route_id, count(*) FILTER (WHERE e.kind = 'canceled' "
        "AND NOT EXISTS (SELECT 1 FROM arrival_log a WHERE a.city_id = $1 "
        "AND a.service_date = $2 AND a.trip_id = e.trip_id "
        "AND a.trip_start_time = e.trip_start_time)), "
        "count(*) FILTER (WHERE e.kind = 'skipped') "
        "FROM service_exception e WHERE e.city_id = $1 "
        "AND e.service_date = $2 GROUP BY e.route_id ORDER BY e.route_id",
        2, params, err, errlen);
    if (exceptions == NULL) {
        goto fail;
    }
    /* the trip runs the timetable has for the day, per route: the trips
     * whose service runs that day (calendar, then calendar_dates), a
     * frequencies.txt template counting each of its runs */
    sched = mtw_pg_query(conn, "aggregating the day",
        "SELECT t.route_id, sum(coalesce(f.n, 1))::int FROM trips t "
        "LEFT JOIN (SELECT trip_id, sum(ceil((end_time - start_time)"
        "::numeric / headway_secs))::int AS n FROM frequencies "
        "WHERE city_id = $1 AND headway_secs > 0 GROUP BY trip_id) f "
        "ON f.trip_id = t.trip_id WHERE t.city_id = $1 AND ((EXISTS "
        "(SELECT 1 FROM calendar c WHERE c.city_id = $1 "
        "AND c.service_id = t.service_id "
        "AND $2::date BETWEEN c.start_date AND c.end_date "
        "AND (ARRAY[c.monday, c.tuesday, c.wednesday, c.thursday, "
        "c.friday, c.saturday, c.sunday])[extract(isodow FROM $2::date)"
        "::int] = 1) AND NOT EXISTS (SELECT 1 FROM calendar_dates d "
        "WHERE d.city_id = $1 AND d.service_id = t.service_id "
        "AND d.date = $2::date AND d.exception_type = 2)) "
        "OR EXISTS (SELECT 1 FROM calendar_dates d WHERE d.city_id = $1 "
        "AND d.service_id = t.service_id AND d.date = $2::date "
        "AND d.exception_type = 1)) GROUP BY t.route_id "
        "ORDER BY t.route_id", 2, params, err, errlen);
    if (sched == NULL) {
        goto fail;
    }
    /* every route that ran or was reported not running; all sorted by
     * route_id (COLLATE "C": strcmp order) */
    routes = mtw_day_finish(day, &nroutes);
    memset(&none, 0, sizeof(none));
    memset(&no_pairs, 0, sizeof(no_pairs));
    mtw_day_regularity_sums(&no_pairs, &none.reg);
    for (i = 0, e = 0; i < nroutes || e < PQntuples(exceptions); ) {
        const mtw_day_route *r;
        const char *route;

        if (e < PQntuples(exceptions)
            && (i == nroutes
                || strcmp(PQgetvalue(exceptions, e, 0),
                          routes[i].route_id) < 0))
        {
            /* no arrival at all: every run cancelled, say */
            none.route_id = PQgetvalue(exceptions, e, 0);
            r = &none;
        } else {
            r = &routes[i++];
        }
        route = r->route_id;
        if (e < PQntuples(exceptions)
            && strcmp(PQgetvalue(exceptions, e, 0), route) == 0)
        {
            canceled = PQgetvalue(exceptions, e, 1);
            skipped = PQgetvalue(exceptions, e, 2);
            e++;
        } else {
            canceled = skipped = "0";
        }
        bunching = by_route(incidents, &b, route, 1);
        scheduled = by_route(sched, &m, route, 1);
        snprintf(arrivals, sizeof(arrivals), "%ld", r->arrivals);
        snprintf(trips, sizeof(trips), "%ld", r->trip_runs);
        snprintf(realism, sizeof(realism), "%.3f", r->realism);
        if (upsert_route(conn, city, date, route, &r->perf, &r->reg,
                         arrivals, trips, bunching ? bunching : "0",
                         r->has_realism ? realism : NULL, scheduled,
                         canceled, skipped, err, errlen) != 0)
        {
            goto fail;
        }
        written++;
    }
    PQclear(incidents);
    PQclear(exceptions);
    PQclear(sched);
    mtw_day_free(day);
    if (mtw_pg_exec(conn, "aggregating the day", "COMMIT", err,
                    errlen) != 0)
    {
        return -1;
    }
    return written;

fail:
    PQclear(incidents);
    PQclear(exceptions);
    PQclear(sched);
    mtw_day_free(day);
    mtw_pg_exec(conn, "aggregating the day", "ROLLBACK", NULL, 0);
    return -1;
}
