/*
 * timetable.c - the raw static timetable rows (see timetable.h).
 */
#include "score/timetable.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

mtw_timetable *mtw_timetable_create(void)
{
    mtw_timetable *tt = calloc(1, sizeof(*tt));

    if (tt == NULL) {
        return NULL;
    }
    tt->arena = mtw_arena_create(256 * 1024);
    if (tt->arena == NULL) {
        free(tt);
        return NULL;
    }
    return tt;
}

void mtw_timetable_free(mtw_timetable *tt)
{
    if (tt == NULL) {
        return;
    }
    free(tt->routes);
    free(tt->stops);
    free(tt->trips);
    free(tt->stop_times);
    free(tt->calendar);
    free(tt->calendar_dates);
    free(tt->frequencies);
    free(tt->strings);
    mtw_idmap_clear(&tt->interned);
    mtw_arena_destroy(tt->arena);
    free(tt);
}

#define TT_PUSH(tt, name, elem)                                              \
    (mtw_grow((void **) &(tt)->name, &(tt)->cap_##name,                     \
              (tt)->n_##name + 1, sizeof(*(tt)->name)) != 0                  \
     ? -1 : ((tt)->name[(tt)->n_##name++] = (elem), 0))

#define S(s) mtw_arena_strdup(tt->arena, (s))

/* one copy per distinct id: a x20 feed has millions of stop_times rows that
 * name the same few thousand trips and stops */
static const char *tt_intern(mtw_timetable *tt, const char *s)
{
    uint32_t i;
    char *copy;

    if (s == NULL) {
        return NULL;
    }
    i = mtw_idmap_get(&tt->interned, s);
    if (i != MTW_IDMAP_NONE) {
        return tt->strings[i];
    }
    copy = S(s);
    if (copy == NULL || TT_PUSH(tt, strings, copy) != 0
        || mtw_idmap_put(&tt->interned, copy,
                         (uint32_t) (tt->n_strings - 1)) != 0)
    {
        return NULL;
    }
    return copy;
}

#define I(s) tt_intern(tt, (s))

int mtw_tt_add_route(mtw_timetable *tt, const char *id,
                     const char *short_name, const char *long_name,
                     const char *color, const char *text_color, int type)
{
    mtw_tt_route r = { I(id), S(short_name), S(long_name), S(color),
                       S(text_color), type };

    return TT_PUSH(tt, routes, r);
}

int mtw_tt_add_stop(mtw_timetable *tt, const char *id, const char *name,
                    double lat, double lon)
{
    mtw_tt_stop s = { I(id), S(name), lat, lon };

    return TT_PUSH(tt, stops, s);
}

int mtw_tt_add_trip(mtw_timetable *tt, const char *id, const char *route_id,
                    const char *service_id, int direction,
                    const char *shape_id, const char *headsign)
{
    mtw_tt_trip t = { I(id), I(route_id), I(service_id), I(shape_id),
                      S(headsign), direction };

    return TT_PUSH(tt, trips, t);
}

int mtw_tt_add_stop_time(mtw_timetable *tt, const char *trip_id,
                         const char *stop_id, int seq, int arr, int dep)
{
    mtw_tt_stop_time st = { I(trip_id), I(stop_id), seq, arr, dep,
                            arr >= 0 || dep >= 0 };

    return TT_PUSH(tt, stop_times, st);
}

int mtw_tt_add_calendar(mtw_timetable *tt, const char *service_id,
                        unsigned days, int start, int end)
{
    mtw_tt_calendar c = { I(service_id), days, start, end };

    return TT_PUSH(tt, calendar, c);
}

int mtw_tt_add_calendar_date(mtw_timetable *tt, const char *service_id,
                             int date, int type)
{
    mtw_tt_calendar_date c = { I(service_id), date, type };

    return TT_PUSH(tt, calendar_dates, c);
}

int mtw_tt_add_frequency(mtw_timetable *tt, const char *trip_id, int start,
                         int end, int headway, int exact)
{
    mtw_tt_frequency f = { I(trip_id), start, end, headway, exact };

    return TT_PUSH(tt, frequencies, f);
}
