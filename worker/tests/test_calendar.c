/*
 * test_calendar.c - service dates, time zones, calendar + calendar_dates,
 * trips past midnight and frequency-based trips in the service-day
 * schedule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "score/calendar.h"
#include "score/schedule.h"

#define MON_FRI 0x1f
#define SAT 0x20
#define SUN 0x40

static void test_dates(void **state)
{
    int d;

    (void) state;
    assert_int_equal(mtw_date_to_days(19700101), 0);
    assert_int_equal(mtw_days_to_date(0), 19700101);
    assert_int_equal(mtw_date_add(20250228, 1), 20250301);
    assert_int_equal(mtw_date_add(20240228, 1), 20240229);
    assert_int_equal(mtw_date_add(20250101, -1), 20241231);
    assert_int_equal(mtw_date_weekday(19700101), 3);    /* Thursday */
    assert_int_equal(mtw_date_weekday(20250629), 6);    /* Sunday */
    assert_int_equal(mtw_date_weekday(20250630), 0);    /* Monday */
    assert_int_equal(mtw_date_parse("2025-07-02", &d), 0);
    assert_int_equal(d, 20250702);
    assert_int_equal(mtw_date_parse("20250702", &d), 0);
    assert_int_equal(mtw_date_parse("2025-02-30", &d), -1);
    assert_int_equal(mtw_date_parse("2025-7-2", &d), -1);
    assert_int_equal(mtw_date_parse("tomorrow", &d), -1);
}

static void test_time_zones(void **state)
{
    int secs;

    (void) state;
    /* America/Regina is UTC-6 all year: base = local midnight */
    assert_int_equal(mtw_service_day_base("America/Regina", 20250702),
                     1751436000);   /* 2025-07-02T06:00:00Z */
    assert_int_equal(mtw_service_day_base("UTC", 20250702), 1751414400);
    /* DST start in New York (2025-03-09): noon - 12 h is 23:00 of the
     * previous evening's clock, so 08:00 still means base + 8 h */
    assert_int_equal(mtw_service_day_base("America/New_York", 20250309)
                     + 8 * 3600, 1741521600);   /* 08:00 EDT = 12:00Z */
    assert_int_equal(mtw_local_date("America/Regina", 1751436000 - 1,
                                    &secs), 20250701);
    assert_int_equal(secs, 86399);
    assert_int_equal(mtw_local_date("America/Regina", 1751436000, &secs),
                     20250702);
    assert_int_equal(secs, 0);
    /* TZ is restored */
    assert_null(getenv("TZ"));
}

static mtw_timetable *calendar_feed(void)
{
    mtw_timetable *tt = mtw_timetable_create();

    assert_non_null(tt);
    mtw_tt_add_calendar(tt, "WK", MON_FRI, 20250629, 20250830);
    mtw_tt_add_calendar(tt, "SA", SAT, 20250629, 20250830);
    mtw_tt_add_calendar(tt, "SU", SUN, 20250629, 20250830);
    mtw_tt_add_calendar_date(tt, "WK", 20250701, 2);   /* Canada Day */
    mtw_tt_add_calendar_date(tt, "SU", 20250701, 1);
    mtw_tt_add_calendar_date(tt, "EXTRA", 20250705, 1);
    return tt;
}

static void test_services(void **state)
{
    mtw_timetable *tt = calendar_feed();
    mtw_idmap set = { 0 };

    (void) state;
    assert_true(mtw_service_runs(tt, "WK", 20250702));
    assert_false(mtw_service_runs(tt, "WK", 20250701));  /* removed */
    assert_true(mtw_service_runs(tt, "SU", 20250701));   /* added */
    assert_false(mtw_service_runs(tt, "WK", 20250628));  /* before range */
    assert_false(mtw_service_runs(tt, "WK", 20250901));  /* after range */
    assert_true(mtw_service_runs(tt, "SA", 20250705));
    assert_true(mtw_service_runs(tt, "EXTRA", 20250705));
    assert_int_equal(mtw_services_on(tt, 20250701, &set), 1);
    assert_int_not_equal(mtw_idmap_get(&set, "SU"), MTW_IDMAP_NONE);
    assert_int_equal(mtw_idmap_get(&set, "WK"), MTW_IDMAP_NONE);
    mtw_idmap_clear(&set);
    assert_int_equal(mtw_services_on(tt, 20250705, &set), 2);
    mtw_idmap_clear(&set);
    /* auto: a Wednesday in 2026 maps onto the first Wednesday in range */
    assert_int_equal(mtw_service_date_auto(tt, 20261125), 20250702);
    assert_int_equal(mtw_service_date_auto(tt, 20250715), 20250715);
    mtw_timetable_free(tt);
}

/* a tiny network: route R, 3 stops ~1 km apart, trips on WK */
static mtw_timetable *day_feed(void)
{
    mtw_timetable *tt = calendar_feed();

    mtw_tt_add_route(tt, "R", "1", "Main", "FF0000", "FFFFFF", 3);
    mtw_tt_add_stop(tt, "S1", "First", 52.10, -106.60);
    mtw_tt_add_stop(tt, "S2", "Second", 52.11, -106.60);
    mtw_tt_add_stop(tt, "S3", "Third", 52.12, -106.60);
    /* a normal weekday trip */
    mtw_tt_add_trip(tt, "T1", "R", "WK", 0, NULL, "North");
    mtw_tt_add_stop_time(tt, "T1", "S3", 3, 8 * 3600 + 600, 8 * 3600 + 600);
    mtw_tt_add_stop_time(tt, "T1", "S1", 1, 8 * 3600, 8 * 3600);
    mtw_tt_add_stop_time(tt, "T1", "S2", 2, -1, -1);  /* untimed */
    /* a late trip past midnight */
    mtw_tt_add_trip(tt, "LATE", "R", "WK", 0, NULL, "North");
    mtw_tt_add_stop_time(tt, "LATE", "S1", 1, 23 * 3600 + 3000, -1);
    mtw_tt_add_stop_time(tt, "LATE", "S2", 2, 24 * 3600 + 300, -1);
    mtw_tt_add_stop_time(tt, "LATE", "S3", 3, 25 * 3600, -1);
    /* a frequency-based trip: every 10 min 07:00-08:00 */
    mtw_tt_add_trip(tt, "F", "R", "WK", 1, NULL, "South");
    mtw_tt_add_stop_time(tt, "F", "S3", 1, 0, 0);
    mtw_tt_add_stop_time(tt, "F", "S2", 2, 300, 300);
    mtw_tt_add_stop_time(tt, "F", "S1", 3, 600, 600);
    mtw_tt_add_frequency(tt, "F", 7 * 3600, 8 * 3600, 600, 0);
    /* a Sunday trip */
    mtw_tt_add_trip(tt, "SUN1", "R", "SU", 0, NULL, "North");
    mtw_tt_add_stop_time(tt, "SUN1", "S1", 1, 9 * 3600, 9 * 3600);
    mtw_tt_add_stop_time(tt, "SUN1", "S3", 2, 9 * 3600 + 900, 9 * 3600 + 900);
    return tt;
}

static void test_schedule_day(void **state)
{
    mtw_timetable *tt = day_feed();
    char err[128];
    mtw_schedule *s;
    long t1, late, f;
    const mtw_trip *t;
    const mtw_stop_time *rows;
    int64_t base;
    size_t i, nf = 0;

    (void) state;
    /* Wednesday 2025-07-02: WK runs; yesterday (Canada Day) WK did not */
    s = mtw_schedule_build(tt, "America/Regina", 20250702, 0, err,
                           sizeof(err));
    mtw_timetable_free(tt);           /* the schedule owns its strings */
    assert_non_null(s);
    base = s->base;
    assert_int_equal(base, 1751436000);
    for (i = 0; i < s->ntrips; i++) {
        nf += strcmp(s->trips[i].id, "F") == 0;
        assert_string_not_equal(s->trips[i].id, "SUN1");
    }
    assert_int_equal(nf, 6);                 /* 07:00, 07:10 ... 07:50 */
    t1 = mtw_schedule_find_trip(s, "T1", 0, -1, base + 8 * 3600);
    assert_true(t1 >= 0);
    t = &s->trips[t1];
    rows = mtw_trip_rows(s, t);
    assert_int_equal(t->st_count, 3);
    assert_string_equal(s->stops[rows[0].stop].id, "S1");   /* by seq */
    assert_string_equal(s->stops[rows[2].stop].id, "S3");
    /* the untimed middle stop is interpolated by distance (halfway) */
    assert_false(rows[1].timepoint);
    assert_true(abs(rows[1].arr - (8 * 3600 + 300)) <= 2);
    assert_true(rows[1].dist > 1100 && rows[1].dist < 1125);
    assert_int_equal(mtw_trip_arr(t, &rows[2]), base + 8 * 3600 + 600);

    /* frequency instance by start time, and nearest to now */
    f = mtw_schedule_find_trip(s, "F", 0, 7 * 3600 + 1200, base);
    assert_true(f >= 0);
    assert_int_equal(s->trips[f].start, 7 * 3600 + 1200);
    assert_int_equal(mtw_trip_arr(&s->trips[f],
                                  &mtw_trip_rows(s, &s->trips[f])[2]),
                     base + 7 * 3600 + 1800);
    f = mtw_schedule_find_trip(s, "F", 0, -1, base + 7 * 3600 + 2500);
    assert_int_equal(s->trips[f].start, 7 * 3600 + 2400);

    /* today's LATE instance exists; yesterday's did not run (holiday) */
    late = mtw_schedule_find_trip(s, "LATE", 20250701, -1, base);
    assert_int_equal(late, -1);
    late = mtw_schedule_find_trip(s, "LATE", 0, -1, base + 86400);
    assert_true(late >= 0);
    assert_int_equal(s->trips[late].service_date, 20250702);
    mtw_schedule_free(s);
}

static void test_schedule_overnight(void **state)
{
    mtw_timetable *tt = day_feed();
    char err[128];
    mtw_schedule *s;
    long late;
    size_t i, nlate = 0;

    (void) state;
    /* Thursday 2025-07-03: Wednesday's LATE trip runs until 01:00 */
    s = mtw_schedule_build(tt, "America/Regina", 20250703, 0, err,
                           sizeof(err));
    assert_non_null(s);
    for (i = 0; i < s->ntrips; i++) {
        nlate += strcmp(s->trips[i].id, "LATE") == 0;
        /* yesterday's T1 ended at 08:10: not carried over */
        if (strcmp(s->trips[i].id, "T1") == 0) {
            assert_int_equal(s->trips[i].service_date, 20250703);
        }
    }
    assert_int_equal(nlate, 2);
    /* at 00:30 Thursday, the instance running is Wednesday's */
    late = mtw_schedule_find_trip(s, "LATE", 0, -1, s->base + 1800);
    assert_true(late >= 0);
    assert_int_equal(s->trips[late].service_date, 20250702);
    assert_int_equal(s->trips[late].base + s->trips[late].end,
                     s->base + 3600);   /* 25:00 Wed = 01:00 Thu */
    /* explicit start_date picks Thursday's */
    late = mtw_schedule_find_trip(s, "LATE", 20250703, -1, s->base + 1800);
    assert_int_equal(s->trips[late].service_date, 20250703);
    mtw_schedule_free(s);

    /* Sunday: only SUN1 (and no weekday trips) */
    s = mtw_schedule_build(tt, "America/Regina", 20250706, 0, err,
                           sizeof(err));
    assert_non_null(s);
    assert_int_equal(s->ntrips, 1);
    assert_string_equal(s->trips[0].id, "SUN1");
    assert_int_equal(s->nrdirs, 1);
    mtw_schedule_free(s);
    mtw_timetable_free(tt);
}

static void test_scheduled_headway(void **state)
{
    mtw_timetable *tt = day_feed();
    char err[128];
    mtw_schedule *s;
    const mtw_route_dir *rd;
    int gaps[8];
    size_t ng;

    (void) state;
    s = mtw_schedule_build(tt, "America/Regina", 20250702, 0, err,
                           sizeof(err));
    assert_non_null(s);
    rd = mtw_schedule_rdir(s, mtw_schedule_route(s, "R"), 1);
    assert_non_null(rd);
    assert_int_equal(rd->ntrips, 6);
    /* F departs S3 every 600 s from 07:00; at 07:25 the hour's gaps are
     * 07:10-07:00 ... 07:50-07:40 = five gaps of 600 */
    assert_int_equal(mtw_schedule_headway(s, rd, mtw_schedule_stop(s, "S3"),
                                          s->base + 7 * 3600 + 1500, gaps, 8,
                                          &ng), 600);
    assert_int_equal(ng, 5);
    /* at 08:30 nothing in the hour nor spanning now */
    assert_int_equal(mtw_schedule_headway(s, rd, mtw_schedule_stop(s, "S3"),
                                          s->base + 8 * 3600 + 1800, gaps, 8,
                                          &ng), -1);
    mtw_schedule_free(s);
    mtw_timetable_free(tt);
}

/* a feed from another period run "live": Wednesday 2025-07-02's trips on
 * the clock of Wednesday 2026-11-25 */
static void test_run_date(void **state)
{
    mtw_timetable *tt = day_feed();
    char err[128];
    mtw_schedule *s;
    long t1;

    (void) state;
    s = mtw_schedule_build(tt, "America/Regina", 20250702, 20261125, err,
                           sizeof(err));
    assert_non_null(s);
    assert_int_equal(s->service_date, 20250702);
    assert_int_equal(s->run_date, 20261125);
    assert_int_equal(s->base, mtw_service_day_base("America/Regina",
                                                   20261125));
    t1 = mtw_schedule_find_trip(s, "T1", 20261125, -1, s->base);
    assert_true(t1 >= 0);
    assert_int_equal(mtw_trip_arr(&s->trips[t1],
                                  &mtw_trip_rows(s, &s->trips[t1])[2]),
                     s->base + 8 * 3600 + 600);
    mtw_schedule_free(s);
    mtw_timetable_free(tt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_time_zones),
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_schedule_day),
        cmocka_unit_test(test_schedule_overnight),
        cmocka_unit_test(test_scheduled_headway),
        cmocka_unit_test(test_run_date),
    };

    unsetenv("TZ");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
