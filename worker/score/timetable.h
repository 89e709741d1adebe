/*
 * timetable.h - one city's static GTFS timetable as plain rows in memory.
 *
 * This is the input of the service-day builder (schedule.h): the store
 * loads these rows from PostgreSQL (store/schedule.c) or a test writes them
 * by hand.  Times are seconds after the service day's noon-minus-12h, as in
 * GTFS (they may exceed 24:00); -1 means absent.  Dates are YYYYMMDD ints.
 * Every add function copies its strings into the timetable's arena.
 */
#ifndef MTW_SCORE_TIMETABLE_H
#define MTW_SCORE_TIMETABLE_H

#include "util/arena.h"
#include "util/sort.h"
#include "score/idmap.h"

#include <stddef.h>

typedef struct {
    const char *id, *short_name, *long_name, *color, *text_color;
    int type;
} mtw_tt_route;

typedef struct {
    const char *id, *name;
    double lat, lon;
} mtw_tt_stop;

typedef struct {
    const char *id, *route_id, *service_id, *shape_id, *headsign;
    int direction;                  /* 0, 1, or -1 when absent */
} mtw_tt_trip;

typedef struct {
    const char *trip_id, *stop_id;
    int seq, arr, dep;              /* arr/dep -1 when absent */
    int timepoint;                  /* 1 when the row has an arr or dep */
} mtw_tt_stop_time;

/* days: bit 0 = Monday ... bit 6 = Sunday */
typedef struct {
    const char *service_id;
    unsigned days;
    int start, end;
} mtw_tt_calendar;

typedef struct {
    const char *service_id;
    int date;
    int type;                       /* 1 service added, 2 removed */
} mtw_tt_calendar_date;

typedef struct {
    const char *trip_id;
    int start, end, headway, exact;
} mtw_tt_frequency;

#define MTW_TT_ARRAY(T, name) T *name; size_t n_##name, cap_##name

typedef struct {
    mtw_arena *arena;
    mtw_idmap interned;             /* ids repeated across rows, stored once */
    MTW_TT_ARRAY(const char *, strings);
    MTW_TT_ARRAY(mtw_tt_route, routes);
    MTW_TT_ARRAY(mtw_tt_stop, stops);
    MTW_TT_ARRAY(mtw_tt_trip, trips);
    MTW_TT_ARRAY(mtw_tt_stop_time, stop_times);
    MTW_TT_ARRAY(mtw_tt_calendar, calendar);
    MTW_TT_ARRAY(mtw_tt_calendar_date, calendar_dates);
    MTW_TT_ARRAY(mtw_tt_frequency, frequencies);
} mtw_timetable;

mtw_timetable *mtw_timetable_create(void);
void mtw_timetable_free(mtw_timetable *tt);

/* Each returns 0, or -1 when out of memory. */
int mtw_tt_add_route(mtw_timetable *tt, const char *id,
                     const char *short_name, const char *long_name,
                     const char *color, const char *text_color, int type);
int mtw_tt_add_stop(mtw_timetable *tt, const char *id, const char *name,
                    double lat, double lon);
int mtw_tt_add_trip(mtw_timetable *tt, const char *id, const char *route_id,
                    const char *service_id, int direction,
                    const char *shape_id, const char *headsign);
int mtw_tt_add_stop_time(mtw_timetable *tt, const char *trip_id,
                         const char *stop_id, int seq, int arr, int dep);
int mtw_tt_add_calendar(mtw_timetable *tt, const char *service_id,
                        unsigned days, int start, int end);
int mtw_tt_add_calendar_date(mtw_timetable *tt, const char *service_id,
                             int date, int type);
int mtw_tt_add_frequency(mtw_timetable *tt, const char *trip_id, int start,
                         int end, int headway, int exact);

#endif
