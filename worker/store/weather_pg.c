/*
 * weather_pg.c - weather observations in PostgreSQL (weather_pg.h).
 */
#include "store/weather_pg.h"
#include "store/pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a number as a text parameter, NULL (SQL NULL) when absent */
static const char *num(char *buf, size_t len, double v, int decimals)
{
    if (isnan(v)) {
        return NULL;
    }
    snprintf(buf, len, "%.*f", decimals, v);
    return buf;
}

long mtw_weather_store(PGconn *conn, int city_id, const mtw_wx_obs *o,
                       size_t n, char *err, size_t errlen)
{
    char id[16], at[24], t[24], fl[24], p[24], s[24], sd[24], code[16];
    char vis[24], wind[24];
    const char *params[13];
    PGresult *res;
    size_t i;

    snprintf(id, sizeof(id), "%d", city_id);
    for (i = 0; i < n; i++) {
        snprintf(at, sizeof(at), "%lld", (long long) o[i].observed_at);
        snprintf(code, sizeof(code), "%d", o[i].weather_code);
        params[0] = id;
        params[1] = at;
        params[2] = num(t, sizeof(t), o[i].temperature_c, 1);
        params[3] = num(fl, sizeof(fl), o[i].feels_like_c, 1);
        params[4] = num(p, sizeof(p), o[i].precipitation_mm, 1);
        params[5] = num(s, sizeof(s), o[i].snowfall_cm, 1);
        params[6] = num(sd, sizeof(sd), round(o[i].snow_depth_cm), 0);
        params[7] = o[i].weather_code >= 0 ? code : NULL;
        params[8] = mtw_wx_condition_name(o[i].condition);
        params[9] = num(vis, sizeof(vis), o[i].visibility_km, 2);
        params[10] = num(wind, sizeof(wind), o[i].wind_speed_kmh, 1);
        params[11] = mtw_wx_impact_name(o[i].impact);
        params[12] = "open_meteo";
        res = mtw_pg_query(conn, "storing a weather observation",
                           "INSERT INTO weather_observation (city_id, "
                           "observed_at, temperature_c, feels_like_c, "
                           "precipitation_mm, snowfall_cm, snow_depth_cm, "
                           "weather_code, weather_condition, visibility_km, "
                           "wind_speed_kmh, transit_impact, source) VALUES "
                           "($1, to_timestamp($2), $3, $4, $5, $6, $7, $8, "
                           "$9, $10, $11, $12, $13) "
                           "ON CONFLICT (city_id, observed_at) DO UPDATE SET "
                           "temperature_c = EXCLUDED.temperature_c, "
                           "feels_like_c = EXCLUDED.feels_like_c, "
                           "precipitation_mm = EXCLUDED.precipitation_mm, "
                           "snowfall_cm = EXCLUDED.snowfall_cm, "
                           "snow_depth_cm = EXCLUDED.snow_depth_cm, "
                           "weather_code = EXCLUDED.weather_code, "
                           "weather_condition = EXCLUDED.weather_condition, "
                           "visibility_km = EXCLUDED.visibility_km, "
                           "wind_speed_kmh = EXCLUDED.wind_speed_kmh, "
                           "transit_impact = EXCLUDED.transit_impact, "
                           "source = EXCLUDED.source, updated_at = now()",
                           13, params, err, errlen);
        if (res == NULL) {
            return -1;
        }
        PQclear(res);
    }
    return (long) n;
}

long mtw_weather_link(PGconn *conn, int city_id, const char *tz, char *err,
                      size_t errlen)
{
    const char *params[2];
    char id[16];
    PGresult *res;
    long linked;

    snprintf(id, sizeof(id), "%d", city_id);
    params[0] = id;
    params[1] = tz;
    /* the day's representative weather: closest to local noon, +-4 h */
    res = mtw_pg_query(conn, "linking the daily rows to the weather",
                       "UPDATE route_performance_daily r SET "
                       "weather_observation_id = (SELECT w.id FROM "
                       "weather_observation w WHERE w.city_id = $1 AND "
                       "abs(extract(epoch FROM w.observed_at - "
                       "((r.service_date + time '12:00') AT TIME ZONE $2))) "
                       "<= 14400 ORDER BY abs(extract(epoch FROM "
                       "w.observed_at - ((r.service_date + time '12:00') "
                       "AT TIME ZONE $2))), w.observed_at LIMIT 1) "
                       "WHERE r.city_id = $1 "
                       "AND r.weather_observation_id IS NULL",
                       2, params, err, errlen);
    if (res == NULL) {
        return -1;
    }
    linked = atol(PQcmdTuples(res));
    PQclear(res);
    res = mtw_pg_query(conn, "linking the bunching incidents to the weather",
                       "UPDATE bunching_incident b SET "
                       "weather_observation_id = (SELECT w.id FROM "
                       "weather_observation w WHERE w.city_id = $1 AND "
                       "abs(extract(epoch FROM w.observed_at - "
                       "b.detected_at)) <= 14400 ORDER BY abs(extract(epoch "
                       "FROM w.observed_at - b.detected_at)), w.observed_at "
                       "LIMIT 1) WHERE b.city_id = $1 "
                       "AND b.weather_observation_id IS NULL",
                       1, params, err, errlen);
    if (res == NULL) {
        return -1;
    }
    linked += atol(PQcmdTuples(res));
    PQclear(res);
    return linked;
}

static double col(const PGresult *r, int c)
{
    return PQgetisnull(r, 0, c) ? NAN : atof(PQgetvalue(r, 0, c));
}

int mtw_weather_latest(PGconn *conn, int city_id, int64_t now,
                       mtw_wx_obs *out, char *err, size_t errlen)
{
    const char *params[2];
    char id[16], at[24];
    PGresult *res;

    snprintf(id, sizeof(id), "%d", city_id);
    snprintf(at, sizeof(at), "%lld", (long long) now);
    params[0] = id;
    params[1] = at;
    res = mtw_pg_query(conn, "reading the latest weather",
                       "SELECT extract(epoch FROM observed_at)::bigint, "
                       "temperature_c, feels_like_c, precipitation_mm, "
                       "snowfall_cm, snow_depth_cm, coalesce(weather_code, "
                       "-1), visibility_km, wind_speed_kmh "
                       "FROM weather_observation WHERE city_id = $1 "
                       "AND observed_at <= to_timestamp($2) "
                       "ORDER BY observed_at DESC LIMIT 1",
                       2, params, err, errlen);
    if (res == NULL) {
        return -1;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    memset(out, 0, sizeof(*out));
    out->observed_at = atoll(PQgetvalue(res, 0, 0));
    out->temperature_c = col(res, 1);
    out->feels_like_c = col(res, 2);
    out->precipitation_mm = col(res, 3);
    out->snowfall_cm = col(res, 4);
    out->snow_depth_cm = col(res, 5);
    out->weather_code = atoi(PQgetvalue(res, 0, 6));
    out->visibility_km = col(res, 7);
    out->wind_speed_kmh = col(res, 8);
    out->condition = mtw_wx_condition_of(out->weather_code);
    out->impact = mtw_wx_impact_of(out);
    PQclear(res);
    return 1;
}

/*
 * reference-algorithms.md §8.5 and §6.3 over the daily rows linked to
 * their day's weather: clear vs snow per route (3+ days of each), 5 degree
 * buckets and the -20 degree threshold, route x condition and the worst
 * condition, and bunching incidents per hour of each condition (30 days).
 */
static const char analysis_sql[] =
    "WITH d AS (SELECT r.route_id, coalesce(rt.route_short_name, "
    "r.route_id) AS short_name, r.on_time_pct::float8 AS pct, "
    "w.weather_condition AS cond, w.temperature_c::float8 AS temp, "
    "r.service_date FROM route_performance_daily r "
    "JOIN weather_observation w ON w.id = r.weather_observation_id "
    "LEFT JOIN routes rt ON rt.city_id = r.city_id "
    "AND rt.route_id = r.route_id "
    "WHERE r.city_id = $1 AND r.on_time_pct IS NOT NULL), "
    "winter AS (SELECT short_name, "
    "round(avg(pct) FILTER (WHERE cond = 'clear')::numeric, 1) AS clear_pct, "
    "round(avg(pct) FILTER (WHERE cond = 'snow')::numeric, 1) AS snow_pct, "
    "least(count(*) FILTER (WHERE cond = 'clear'), "
    "count(*) FILTER (WHERE cond = 'snow')) AS days FROM d "
    "GROUP BY route_id, short_name "
    "HAVING count(*) FILTER (WHERE cond = 'clear') >= 3 "
    "AND count(*) FILTER (WHERE cond = 'snow') >= 3), "
    "wtop AS (SELECT *, clear_pct - snow_pct AS drop FROM winter "
    "ORDER BY clear_pct - snow_pct DESC, short_name LIMIT 10), "
    "buckets AS (SELECT (floor(temp / 5) * 5)::int AS bucket, "
    "round(avg(pct)::numeric, 1) AS avg_pct, count(*) AS n FROM d "
    "WHERE temp IS NOT NULL GROUP BY 1), "
    "thr AS (SELECT "
    "coalesce(round(avg(pct) FILTER (WHERE temp >= -20)::numeric, 1), 0) "
    "AS above, "
    "coalesce(round(avg(pct) FILTER (WHERE temp < -20)::numeric, 1), 0) "
    "AS below, "
    "count(DISTINCT service_date) FILTER (WHERE temp >= -20) AS days_above, "
    "count(DISTINCT service_date) FILTER (WHERE temp < -20) AS days_below "
    "FROM d), "
    "matrix AS (SELECT short_name, cond, round(avg(pct)::numeric, 1) "
    "AS avg_pct FROM d GROUP BY short_name, cond), "
    "worst AS (SELECT cond, round(avg(pct)::numeric, 1) AS avg_pct, "
    "count(DISTINCT service_date) AS days, round(avg(temp)::numeric, 1) "
    "AS avg_temp FROM d GROUP BY cond ORDER BY avg(pct), cond LIMIT 1), "
    "exposure AS (SELECT weather_condition AS cond, "
    "count(DISTINCT date_trunc('hour', observed_at)) AS hours "
    "FROM weather_observation WHERE city_id = $1 "
    "AND observed_at >= now() - interval '30 days' GROUP BY 1), "
    "incidents AS (SELECT w.weather_condition AS cond, count(*) AS n "
    "FROM bunching_incident b JOIN weather_observation w "
    "ON w.id = b.weather_observation_id WHERE b.city_id = $1 "
    "AND b.detected_at >= now() - interval '30 days' GROUP BY 1), "
    "rates AS (SELECT e.cond, coalesce(i.n, 0) AS incidents, "
    "e.hours AS exposure_hours, round(coalesce(i.n, 0)::numeric / e.hours, "
    "2) AS per_hour FROM exposure e LEFT JOIN incidents i USING (cond)) "
    "SELECT "
    "json_build_object('routes', coalesce((SELECT json_agg(json_build_object("
    "'short_name', short_name, 'clear_pct', clear_pct, 'snow_pct', "
    "snow_pct, 'drop', drop, 'days', days) ORDER BY drop DESC, short_name) "
    "FROM wtop), '[]'), 'stats', (SELECT json_build_object('worstRoute', "
    "'Route ' || short_name, 'clearPerf', clear_pct, 'snowPerf', snow_pct, "
    "'performanceDrop', drop) FROM wtop ORDER BY drop DESC, short_name "
    "LIMIT 1))::text, "
    "json_build_object('buckets', coalesce((SELECT json_agg("
    "json_build_object('bucket', bucket, 'avg_pct', avg_pct, 'count', n) "
    "ORDER BY bucket) FROM buckets), '[]'), 'stats', (SELECT "
    "json_build_object('aboveThreshold', above, 'belowThreshold', below, "
    "'performanceDrop', round(above - below, 1), 'daysAbove', days_above, "
    "'daysBelow', days_below) FROM thr))::text, "
    "json_build_object('conditions', json_build_array('snow', 'rain', "
    "'showers', 'thunderstorm', 'cloudy', 'clear', 'fog'), 'cells', "
    "coalesce((SELECT json_agg(json_build_object('route_short_name', "
    "short_name, 'condition', cond, 'avg_pct', avg_pct) ORDER BY "
    "short_name, cond) FROM matrix), '[]'), 'stats', (SELECT "
    "json_build_object('worstCondition', initcap(cond), 'avgPerformance', "
    "avg_pct, 'dayCount', days, 'avgTemperature', avg_temp) "
    "FROM worst))::text, "
    "json_build_object('has_data', EXISTS (SELECT 1 FROM incidents), "
    "'rates', coalesce((SELECT json_agg(json_build_object('condition', cond, "
    "'incidents', incidents, 'exposure_hours', exposure_hours, 'per_hour', "
    "per_hour) ORDER BY cond) FROM rates WHERE cond IN ('snow', 'rain', "
    "'cloudy', 'clear')), '[]'), 'stats', json_build_object("
    "'snowRate', (SELECT per_hour FROM rates WHERE cond = 'snow'), "
    "'rainRate', (SELECT per_hour FROM rates WHERE cond = 'rain'), "
    "'clearRate', (SELECT per_hour FROM rates WHERE cond = 'clear'), "
    "'multiplier', (SELECT round(s.per_hour / nullif(c.per_hour, 0), 1) "
    "FROM rates s, rates c WHERE s.cond = 'snow' "
    "AND c.cond = 'clear')))::text";

int mtw_weather_analysis(PGconn *conn, int city_id, mtw_wx_analysis *a,
                         char *err, size_t errlen)
{
    const char *params[1];
    char id[16];
    char **out[4];
    PGresult *res;
    int i;

    memset(a, 0, sizeof(*a));
    snprintf(id, sizeof(id), "%d", city_id);
    params[0] = id;
    /* sql-vetted: analysis_sql is a literal of this file; the city is a
     * parameter */
    res = mtw_pg_query(conn, "the weather analysis", analysis_sql, 1, params,
                       err, errlen);
    if (res == NULL) {
        return -1;
    }
    out[0] = &a->winter_operations;
    out[1] = &a->temperature_threshold;
    out[2] = &a->impact_matrix;
    out[3] = &a->bunching;
    for (i = 0; i < 4; i++) {
        *out[i] = strdup(PQgetvalue(res, 0, i));
        if (*out[i] == NULL) {
            PQclear(res);
            mtw_weather_analysis_free(a);
            snprintf(err, errlen, "the weather analysis: out of memory");
            return -1;
        }
    }
    PQclear(res);
    return 0;
}

void mtw_weather_analysis_free(mtw_wx_analysis *a)
{
    free(a->winter_operations);
    free(a->temperature_threshold);
    free(a->impact_matrix);
    free(a->bunching);
    memset(a, 0, sizeof(*a));
}
