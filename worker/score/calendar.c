/*
 * calendar.c - service dates, time zones, GTFS calendar (see calendar.h).
 */
#include "score/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* runs fn under TZ=tz, restoring the previous TZ */
typedef struct {
    char saved[256];
    int had;
} tz_guard;

static void tz_enter(tz_guard *g, const char *tz)
{
    const char *old = getenv("TZ");

    g->had = old != NULL;
    if (old != NULL) {
        strncpy(g->saved, old, sizeof(g->saved) - 1);
        g->saved[sizeof(g->saved) - 1] = '\0';
    }
    setenv("TZ", tz && tz[0] ? tz : "UTC", 1);
    tzset();
}

static void tz_leave(tz_guard *g)
{
    if (g->had) {
        setenv("TZ", g->saved, 1);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

int64_t mtw_service_day_base(const char *tz, int ymd)
{
    struct tm tm;
    tz_guard g;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = ymd / 10000 - 1900;
    tm.tm_mon = (ymd / 100) % 100 - 1;
    tm.tm_mday = ymd % 100;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    tz_enter(&g, tz);
    t = mktime(&tm);
    tz_leave(&g);
    return (int64_t) t - 43200;
}

int mtw_local_date(const char *tz, int64_t t, int *secs_of_day)
{
    time_t tt = (time_t) t;
    struct tm tm;
    tz_guard g;

    tz_enter(&g, tz);
    localtime_r(&tt, &tm);
    tz_leave(&g);
    if (secs_of_day != NULL) {
        *secs_of_day = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    }
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int mtw_service_date_for(const char *tz, int64_t now)
{
    return mtw_local_date(tz, now, NULL);
}

int mtw_service_runs(const mtw_timetable *tt, const char *service_id,
                     int ymd)
{
    int runs = 0, wd = mtw_date_weekday(ymd);
    size_t i;

    for (i = 0; i < tt->n_calendar; i++) {
        const mtw_tt_calendar *c = &tt->calendar[i];

        if (strcmp(c->service_id, service_id) == 0 && ymd >= c->start
            && ymd <= c->end && (c->days & (1u << wd)))
        {
            runs = 1;
        }
    }
    /* calendar_dates.txt exceptions override calendar.txt */
    for (i = 0; i < tt->n_calendar_dates; i++) {
        const mtw_tt_calendar_date *e = &tt->calendar_dates[i];

        if (e->date == ymd && strcmp(e->service_id, service_id) == 0) {
            runs = e->type == 1;
        }
    }
    return runs;
}

int mtw_services_on(const mtw_timetable *tt, int ymd, mtw_idmap *set)
{
    mtw_idmap removed = { 0 };
    int wd = mtw_date_weekday(ymd), n = 0;
    size_t i;

    for (i = 0; i < tt->n_calendar_dates; i++) {
        const mtw_tt_calendar_date *e = &tt->calendar_dates[i];

        if (e->date == ymd && e->type == 2
            && mtw_idmap_put(&removed, e->service_id, 1) != 0)
        {
            mtw_idmap_clear(&removed);
            return -1;
        }
    }
    for (i = 0; i < tt->n_calendar; i++) {
        const mtw_tt_calendar *c = &tt->calendar[i];

        if (ymd >= c->start && ymd <= c->end && (c->days & (1u << wd))
            && mtw_idmap_get(&removed, c->service_id) == MTW_IDMAP_NONE)
        {
            if (mtw_idmap_put(set, c->service_id, 1) != 0) {
                mtw_idmap_clear(&removed);
                return -1;
            }
        }
    }
    for (i = 0; i < tt->n_calendar_dates; i++) {
        const mtw_tt_calendar_date *e = &tt->calendar_dates[i];

        if (e->date == ymd && e->type == 1
            && mtw_idmap_put(set, e->service_id, 1) != 0)
        {
            mtw_idmap_clear(&removed);
            return -1;
        }
    }
    mtw_idmap_clear(&removed);
    n = (int) set->len;
    return n;
}

int mtw_service_date_auto(const mtw_timetable *tt, int today)
{
    int lo = 0, hi = 0, d, wd = mtw_date_weekday(today);
    size_t i;

    for (i = 0; i < tt->n_calendar; i++) {
        if (lo == 0 || tt->calendar[i].start < lo) {
            lo = tt->calendar[i].start;
        }
        if (tt->calendar[i].end > hi) {
            hi = tt->calendar[i].end;
        }
    }
    for (i = 0; i < tt->n_calendar_dates; i++) {
        d = tt->calendar_dates[i].date;
        if (tt->calendar_dates[i].type != 1) {
            continue;
        }
        if (lo == 0 || d < lo) {
            lo = d;
        }
        if (d > hi) {
            hi = d;
        }
    }
    if (lo == 0 || (today >= lo && today <= hi)) {
        return today;
    }
    /* the first date with today's weekday in the range that has service */
    for (d = lo; d <= hi; d = mtw_date_add(d, 1)) {
        if (mtw_date_weekday(d) == wd) {
            mtw_idmap set = { 0 };
            int n = mtw_services_on(tt, d, &set);

            mtw_idmap_clear(&set);
            if (n > 0) {
                return d;
            }
        }
    }
    return today;
}
