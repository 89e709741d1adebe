/*
 * schedule.h - the static schedule the simulator plays, in memory.
 *
 * Read from a GTFS zip with the project's streaming reader (gtfs/): stops,
 * routes, trips, stop_times (sorted per trip), shapes (with distances
 * along them), calendar, calendar_dates and frequencies (a trip listed
 * there is a template: it runs every headway_secs from start_time to
 * end_time, its stop times giving the offsets from its first departure).
 */
#ifndef MTW_SIM_SCHEDULE_H
#define MTW_SIM_SCHEDULE_H

#include "gtfs/idset.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;
    double      lat, lon;
} mtw_sim_stop;

typedef struct {
    const char *id;
    const char *short_name;
} mtw_sim_route;

typedef struct {
    int32_t  arr, dep;      /* seconds after the service day's midnight */
    int32_t  stop;          /* index into stops */
    uint32_t seq;
    double   dist;          /* metres along the shape; < 0 until computed */
} mtw_sim_stop_time;

typedef struct {
    const char *id;
    int32_t     route;      /* index into routes */
    int32_t     service;    /* index into services */
    int32_t     shape;      /* index into shapes, -1 when none */
    int         direction;  /* 0, 1, or -1 */
    uint32_t    st_off, st_n;
    int         dist_done;  /* stop distances along the shape computed */
    uint32_t    freq_off, freq_n;   /* frequencies.txt rows of the trip */
} mtw_sim_trip;

typedef struct {
    int32_t trip;
    int32_t start, end;     /* seconds after midnight */
    int32_t headway;        /* seconds */
} mtw_sim_freq;

typedef struct {
    uint32_t off, n;        /* points in the shape point arrays */
} mtw_sim_shape;

typedef struct {
    const char *id;
    unsigned    weekdays;   /* bit 0 Monday .. bit 6 Sunday */
    int32_t     start, end; /* YYYYMMDD, 0 when no calendar.txt row */
} mtw_sim_service;

typedef struct {
    int32_t date;           /* YYYYMMDD */
    int32_t service;
    int     added;          /* 1 added, 0 removed */
} mtw_sim_exception;

typedef struct {
    char               tz[64];      /* agency_timezone */
    mtw_sim_stop      *stops;
    size_t             n_stops;
    mtw_sim_route     *routes;
    size_t             n_routes;
    mtw_sim_trip      *trips;
    size_t             n_trips;
    mtw_sim_stop_time *st;
    size_t             n_st;
    mtw_sim_shape     *shapes;
    size_t             n_shapes;
    double            *pt_lat, *pt_lon, *pt_dist;   /* shape points */
    size_t             n_pts;
    mtw_sim_service   *services;
    size_t             n_services;
    mtw_sim_exception *exceptions;
    size_t             n_exceptions;
    mtw_sim_freq      *freqs;       /* sorted by trip */
    size_t             n_freqs;
    int32_t            first_date, last_date;       /* calendar range */
    mtw_idset         *ids[5];      /* stops, routes, trips, services, shapes */
} mtw_sim_schedule;

/* Loads path; 0, or -1 with "file:line: reason" in err. */
int  mtw_sim_schedule_load(mtw_sim_schedule *s, const char *path,
                           char *err, size_t errlen);
void mtw_sim_schedule_free(mtw_sim_schedule *s);

/* Is service index svc running on date (YYYYMMDD)? */
int  mtw_sim_service_active(const mtw_sim_schedule *s, int32_t svc,
                            int32_t date);

/* Fills the trip's stop distances along its shape (once). */
void mtw_sim_trip_distances(mtw_sim_schedule *s, mtw_sim_trip *t);

/* Days since 1970-01-01 of YYYYMMDD, and back; weekday 0 = Monday. */
int32_t mtw_sim_days(int32_t yyyymmdd);
int32_t mtw_sim_date(int32_t days);
int     mtw_sim_weekday(int32_t yyyymmdd);

/* Metres between two points (equirectangular; fine at city scale). */
double  mtw_sim_metres(double lat1, double lon1, double lat2, double lon2);

#endif
