/*
 * history_pg.c - history rows into PostgreSQL (see history_pg.h).
 */
#include "store/history_pg.h"
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

long mtw_histpg_arrivals(PGconn *conn, int city_id, const mtw_arrival *a,
                         size_t n, char *err, size_t errlen)
{
    const char **params;
    arr_vals *vals;
    mtw_jbuf vids;
    PGresult *r;
    size_t i, k, rows;
    long inserted = 0;
    char *sql;

    if (n == 0) {
        return 0;
    }
    params = calloc(ARR_BATCH * ARR_COLS, sizeof(*params));
    vals = calloc(ARR_BATCH, sizeof(*vals));
    if (params == NULL || vals == NULL) {
        free(params);
        free(vals);
        snprintf(err, errlen, "logging arrivals: out of memory");
        return -1;
    }
    if (mtw_pg_exec(conn, "logging arrivals", "BEGIN", err, errlen) != 0) {
        free(params);
        free(vals);
        return -1;
    }
    mtw_jbuf_init(&vids);
    for (i = 0; i < n; i += rows) {
        rows = n - i < ARR_BATCH ? n - i : ARR_BATCH;
        for (k = 0; k < rows; k++) {
            const mtw_arrival *x = &a[i + k];
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
            mtw_jw_str(&vids, a[i + k].vehicle_id);
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
    mtw_jbuf_free(&vids);
    if (mtw_pg_exec(conn, "logging arrivals", "COMMIT", err, errlen) != 0) {
        return -1;
    }
    return inserted;

fail:
    free(params);
    free(vals);
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
                        char *err, size_t errlen)
{
    char avg[16], med[16], on[16], early[16], late[16], cv[24], ewt[24],
         gaps[16];
    const char *params[18];
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
    r = mtw_pg_query(conn, "writing the daily aggregate",
        "INSERT INTO route_performance_daily (city_id, route_id, "
        "service_date, observed_arrivals, observed_trips, avg_delay_sec, "
        "median_delay_sec, on_time_pct, early_pct, late_pct, bunching_count, "
        "schedule_realism_ratio, grade, headway_cv, headway_los, "
        "excess_wait_sec, gap_count, scheduled_trips) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
        "$14, $15, $16, $17, $18) "
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
        "scheduled_trips = EXCLUDED.scheduled_trips, updated_at = now()",
        18, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    PQclear(r);
    return 0;
}

long mtw_histpg_aggregate(PGconn *conn, int city_id, int ymd,
                          const mtw_otp_window *w, char *err, size_t errlen)
{
    char city[16], date[16], early[16], late[16];
    const char *params[4] = { city, date, early, late };
    PGresult *counts = NULL, *delays = NULL, *pairs = NULL, *sched = NULL;
    mtw_day_perf perf;
    mtw_day_regularity reg;
    int i, j, k, m;
    const char *scheduled;
    long routes = 0;

    snprintf(city, sizeof(city), "%d", city_id);
    snprintf(date, sizeof(date), "%08d", ymd);
    snprintf(early, sizeof(early), "%d", w->early_sec);
    snprintf(late, sizeof(late), "%d", w->late_sec);
    if (mtw_pg_exec(conn, "aggregating the day", "BEGIN", err, errlen) != 0) {
        return -1;
    }
    /* a large city's day is a million rows sorted three ways (trip runs,
     * headway pairs): in memory, not in temporary files (4 MB default);
     * for this transaction only */
    if (mtw_pg_exec(conn, "aggregating the day", "SET LOCAL work_mem = "
                    "'256MB'", err, errlen) != 0)
    {
        mtw_pg_exec(conn, "aggregating the day", "ROLLBACK", NULL, 0);
        return -1;
    }
    /* per route: arrivals, trip runs, bunching incidents, and the
     * schedule realism (reference §7.4, from observed arrivals instead of
     * predictions, per trip run instead of per trip id): over trip runs
     * with 3+ stops observed and a scheduled span, the mean of observed
     * span / scheduled span between the first and last stop observed;
     * NULL under 5 such runs */
    counts = mtw_pg_query(conn, "aggregating the day",
        "SELECT r.route_id, sum(r.n), count(*), "
        "(SELECT count(*) FROM bunching_incident b WHERE b.city_id = $1 "
        "AND b.service_date = $2 AND b.route_id = r.route_id), "
        "CASE WHEN count(*) FILTER (WHERE r.ok) >= 5 "
        "THEN round((avg(r.ratio) FILTER (WHERE r.ok))::numeric, 3) END "
        "FROM (SELECT route_id, trip_id, trip_start_time, count(*) AS n, "
        "count(scheduled_at) >= 3 AND max(scheduled_at) > min(scheduled_at) "
        "AS ok, extract(epoch FROM max(arrived_at) FILTER (WHERE "
        "scheduled_at IS NOT NULL) - min(arrived_at) FILTER (WHERE "
        "scheduled_at IS NOT NULL)) / nullif(extract(epoch FROM "
        "max(scheduled_at) - min(scheduled_at)), 0) AS ratio "
        "FROM arrival_log WHERE city_id = $1 AND service_date = $2 "
        "GROUP BY route_id, trip_id, trip_start_time) r "
        "GROUP BY r.route_id ORDER BY r.route_id", 2, params, err, errlen);
    /* delays per route: count, sum, early, late and the median (an even
     * count's two middles averaged and truncated, as mtw_median_int) */
    delays = counts == NULL ? NULL : mtw_pg_query(conn, "aggregating the day",
        "SELECT route_id, count(*), sum(delay_sec::bigint), "
        "count(*) FILTER (WHERE delay_sec < -$3::int), "
        "count(*) FILTER (WHERE delay_sec > $4::int), "
        "trunc(percentile_cont(0.5) WITHIN GROUP (ORDER BY delay_sec))::int "
        "FROM arrival_log WHERE city_id = $1 AND service_date = $2 "
        "AND delay_sec IS NOT NULL GROUP BY route_id ORDER BY route_id", 4,
        params, err, errlen);
    /* headways: each two consecutive trip runs at a stop, observed and
     * scheduled (the runs in scheduled order) */
    pairs = delays == NULL ? NULL : mtw_pg_query(conn, "aggregating the day",
        "SELECT route_id, count(*), sum(h::bigint), sum(h::bigint * h), "
        "sum(s::bigint), sum(s::bigint * s), sum(h - s), "
        "sum((h - s)::bigint * (h - s)), "
        "count(*) FILTER (WHERE h > least(s * 3 / 2, s + 180)) "
        "FROM (SELECT route_id, "
        "extract(epoch FROM arrived_at - lag(arrived_at) OVER w)::int AS h, "
        "extract(epoch FROM scheduled_at - lag(scheduled_at) OVER w)::int "
        "AS s FROM arrival_log WHERE city_id = $1 AND service_date = $2 "
        "AND scheduled_at IS NOT NULL WINDOW w AS (PARTITION BY route_id, "
        "direction_id, stop_id ORDER BY scheduled_at)) x "
        "WHERE h > 0 AND s > 0 GROUP BY route_id ORDER BY route_id", 2,
        params, err, errlen);
    if (pairs == NULL) {
        goto fail;
    }
    /* the trip runs the timetable has for the day, per route: the trips
     * whose service runs that day (calendar, then calendar_dates), a
     * frequencies.txt template counting each of its runs */
    sched = pairs == NULL ? NULL : mtw_pg_query(conn, "aggregating the day",
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
    /* both sorted by route_id (COLLATE "C": strcmp order) */
    for (i = 0, j = 0, k = 0, m = 0; i < PQntuples(counts); i++) {
        const char *route = PQgetvalue(counts, i, 0);

        while (j < PQntuples(delays)
               && strcmp(PQgetvalue(delays, j, 0), route) < 0)
        {
            j++;
        }
        if (j < PQntuples(delays)
            && strcmp(PQgetvalue(delays, j, 0), route) == 0)
        {
            mtw_day_perf_of(atol(PQgetvalue(delays, j, 1)),
                            atof(PQgetvalue(delays, j, 2)),
                            atol(PQgetvalue(delays, j, 3)),
                            atol(PQgetvalue(delays, j, 4)),
                            atoi(PQgetvalue(delays, j, 5)), &perf);
        } else {
            mtw_day_perf_of(0, 0, 0, 0, 0, &perf);
        }
        while (k < PQntuples(pairs)
               && strcmp(PQgetvalue(pairs, k, 0), route) < 0)
        {
            k++;
        }
        if (k < PQntuples(pairs)
            && strcmp(PQgetvalue(pairs, k, 0), route) == 0)
        {
            mtw_headway_sums hs;

            hs.n = atol(PQgetvalue(pairs, k, 1));
            hs.h = atof(PQgetvalue(pairs, k, 2));
            hs.h2 = atof(PQgetvalue(pairs, k, 3));
            hs.s = atof(PQgetvalue(pairs, k, 4));
            hs.s2 = atof(PQgetvalue(pairs, k, 5));
            hs.d = atof(PQgetvalue(pairs, k, 6));
            hs.d2 = atof(PQgetvalue(pairs, k, 7));
            hs.gaps = atol(PQgetvalue(pairs, k, 8));
            mtw_day_regularity_sums(&hs, &reg);
        } else {
            mtw_headway_sums none;

            memset(&none, 0, sizeof(none));
            mtw_day_regularity_sums(&none, &reg);
        }
        while (m < PQntuples(sched)
               && strcmp(PQgetvalue(sched, m, 0), route) < 0)
        {
            m++;
        }
        scheduled = m < PQntuples(sched)
                    && strcmp(PQgetvalue(sched, m, 0), route) == 0
                    ? PQgetvalue(sched, m, 1) : NULL;
        if (upsert_route(conn, city, date, route, &perf, &reg,
                         PQgetvalue(counts, i, 1), PQgetvalue(counts, i, 2),
                         PQgetvalue(counts, i, 3),
                         PQgetisnull(counts, i, 4) ? NULL
                                                   : PQgetvalue(counts, i, 4),
                         scheduled, err, errlen) != 0)
        {
            goto fail;
        }
        routes++;
    }
    PQclear(counts);
    PQclear(delays);
    PQclear(pairs);
    PQclear(sched);
    if (mtw_pg_exec(conn, "aggregating the day", "COMMIT", err,
                    errlen) != 0)
    {
        return -1;
    }
    return routes;

fail:
    PQclear(counts);
    PQclear(delays);
    PQclear(pairs);
    PQclear(sched);
    mtw_pg_exec(conn, "aggregating the day", "ROLLBACK", NULL, 0);
    return -1;
}
