/*
 * route_history.h - a route's recent daily on-time history, as scoring
 * and the documents read it (loaded by store/schedule_pg.h from
 * route_performance_daily).
 */
#ifndef MTW_SCORE_ROUTE_HISTORY_H
#define MTW_SCORE_ROUTE_HISTORY_H

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
} mtw_route_history;

#endif
