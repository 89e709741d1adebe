/*
 * route_history.h - a route's recent daily on-time history, as scoring
 * and the documents read it (loaded by store/schedule_pg.h from
 * route_performance_daily).
 */
#ifndef MTW_SCORE_ROUTE_HISTORY_H
#define MTW_SCORE_ROUTE_HISTORY_H

#include <stdint.h>

#define MTW_WEATHER_CONDITIONS 8    /* clear ... unknown (score/weather.h) */

/* One stop of one direction over the 30 days (10 arrivals or more). */
typedef struct {
    const char *stop_id, *name;
    int32_t sequence;           /* the lowest stop_sequence it had */
    int samples;                /* arrivals with a delay */
    int avg_delay;              /* s, + late */
    double on_time_pct;         /* in the on-time window, 1 decimal */
} mtw_stop_reliability;

#define MTW_HEAT_DAYS 7         /* Mon .. Sun */
#define MTW_HEAT_BUCKETS 7      /* 0-6, 6-9, 9-12, 12-15, 15-18, 18-21, 21-24 */

/* 30 days of daily on-time % for one route (history, once it exists). */
typedef struct {
    const char *route_id;
    int days;                   /* days with a value */
    double mean;                /* mean daily on-time % */
    double best, worst;         /* best / worst day's % */
    const char *best_day, *worst_day;   /* "Oct 5" */
    int ntrend;                 /* daily rows, oldest first */
    const char **trend_dates;   /* "Sep 21" */
    const double *trend_pct;    /* NaN where the day has no value */
    long trips_observed;        /* trip runs seen running, over the days */
    long trips_scheduled;       /* ... the timetable had those days */
    long trips_canceled;        /* ... the feed cancelled (never seen) */
    long stops_skipped;         /* stops the feed said runs would skip */
    int realism_days;           /* days with a schedule realism ratio */
    double realism;             /* their mean ratio; NaN when none */
    /* on-time % by local weekday x time of day, from the 30 days'
     * arrivals; NaN where there was none */
    double heat[MTW_HEAT_DAYS][MTW_HEAT_BUCKETS];
    int heat_samples;
    const mtw_stop_reliability *stops[2];   /* by direction, in stop order */
    int nstops[2];
    /* mean daily on-time % by the day's weather (the daily rows linked to
     * an observation, all days before the service day), best first */
    struct {
        const char *condition;  /* "snow", ... */
        double avg_pct;         /* 1 decimal */
        int days;
    } weather[MTW_WEATHER_CONDITIONS];
    int nweather;
} mtw_route_history;

#endif
