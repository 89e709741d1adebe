/*
 * weather_pg.h - weather observations in PostgreSQL: the upsert, the links
 * from the daily rows and the bunching incidents, the latest observation
 * and the weather page's analysis (reference-algorithms.md §6.3, §8.4-8.5).
 */
#ifndef MTW_STORE_WEATHER_PG_H
#define MTW_STORE_WEATHER_PG_H

#include "score/weather.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/* Inserts or updates (city, observed_at) rows; the count, or -1 (err). */
long mtw_weather_store(PGconn *conn, int city_id, const mtw_wx_obs *o,
                       size_t n, char *err, size_t errlen);

/*
 * Links the daily rows (the observation closest to local noon, tz, within
 * 4 h) and the bunching incidents (closest to the incident within 4 h)
 * that have none yet.  The number of rows linked, or -1 (err).
 */
long mtw_weather_link(PGconn *conn, int city_id, const char *tz, char *err,
                      size_t errlen);

/* The newest observation at or before now: 1, 0 when none, -1 (err). */
int mtw_weather_latest(PGconn *conn, int city_id, int64_t now,
                       mtw_wx_obs *out, char *err, size_t errlen);

/* The analysis sections of the weather document, each a JSON object. */
typedef struct {
    char *winter_operations;        /* clear vs snow per route */
    char *temperature_threshold;    /* 5 degree buckets, above/below -20 */
    char *impact_matrix;            /* route x condition, worst condition */
    char *bunching;                 /* incidents per exposure hour */
} mtw_wx_analysis;

/* 0, or -1 (err); free the sections with mtw_weather_analysis_free. */
int mtw_weather_analysis(PGconn *conn, int city_id, mtw_wx_analysis *a,
                         char *err, size_t errlen);
void mtw_weather_analysis_free(mtw_wx_analysis *a);

#endif
