/*
 * test_sim.c - simulator pieces: calendar arithmetic, service days, the
 * demo feed round trip (write, load, play), determinism and delay profiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "feed/snapshot.h"
#include "sim/demo_gtfs.h"
#include "sim/schedule.h"
#include "sim/sim.h"

static void test_dates(void **state)
{
    (void) state;
    assert_int_equal(mtw_date_to_days(19700101), 0);
    assert_int_equal(mtw_date_to_days(20000301) - mtw_date_to_days(20000228), 2);
    assert_int_equal(mtw_date_to_days(21000301) - mtw_date_to_days(21000228), 1);
    assert_int_equal(mtw_days_to_date(mtw_date_to_days(20240229)), 20240229);
    assert_int_equal(mtw_days_to_date(mtw_date_to_days(20251231) + 1), 20260101);
    assert_int_equal(mtw_days_to_date(-1), 19691231);
    assert_int_equal(mtw_date_weekday(20250629), 6);    /* a Sunday */
    assert_int_equal(mtw_date_weekday(20261128), 5);    /* a Saturday */
    assert_int_equal(mtw_date_weekday(19700101), 3);    /* a Thursday */
}

static void test_profiles(void **state)
{
    mtw_sim_profile p;

    (void) state;
    assert_int_equal(mtw_sim_profile_parse("heavy", &p), 0);
    assert_int_equal(p, MTW_SIM_HEAVY);
    assert_int_equal(mtw_sim_profile_parse("none", &p), 0);
    assert_int_equal(p, MTW_SIM_NONE);
    assert_int_equal(mtw_sim_profile_parse("Heavy", &p), -1);
}

static void test_demo_feed_plays(void **state)
{
    char path[] = "/tmp/mtw-test-sim-XXXXXX";
    char zip[64], err[256];
    mtw_sim_schedule s;
    mtw_sim_opts o = { .seed = 7, .profile = MTW_SIM_NORMAL, .bare = 0 };
    mtw_sim_buf a[3], b[3];
    mtw_sim_stats sa, sb;
    mtw_snapshot snap;
    int fd, k;
    /* 2025-07-02 08:00 in America/Regina (UTC-6); midnight at 06:00 UTC */
    const int64_t midnight = 1751436000, now = midnight + 8 * 3600;

    (void) state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(zip, sizeof(zip), "%s.zip", path);
    unlink(path);
    assert_int_equal(mtw_demo_gtfs_write(zip, err, sizeof(err)), 0);
    assert_int_equal(mtw_sim_schedule_load(&s, zip, err, sizeof(err)), 0);
    unlink(zip);
    assert_string_equal(s.tz, "America/Regina");
    assert_int_equal(s.n_routes, 3);
    assert_int_equal(s.n_shapes, 6);
    assert_true(s.n_trips > 400);
    assert_int_equal(s.first_date, 20200101);
    assert_int_equal(s.last_date, 20991231);
    assert_true(mtw_sim_service_active(&s, s.trips[0].service, 20250702));
    assert_false(mtw_sim_service_active(&s, s.trips[0].service, 21000101));

    assert_int_equal(mtw_sim_frame(&s, &o, 20250702, midnight, now, a, &sa), 0);
    assert_int_equal(mtw_sim_frame(&s, &o, 20250702, midnight, now, b, &sb), 0);
    assert_true(sa.vehicles >= 10);
    assert_int_equal(sa.alerts, 2);
    for (k = 0; k < 3; k++) {
        assert_int_equal(a[k].len, b[k].len);
        assert_memory_equal(a[k].bytes, b[k].bytes, a[k].len);
    }
    /* the frames decode with the worker's own decoder */
    mtw_snapshot_init(&snap, MTW_FEED_VEHICLES);
    assert_int_equal(mtw_snapshot_decode(&snap, a[0].bytes, a[0].len, 0, err,
                                         sizeof(err)), 0);
    assert_int_equal(snap.n_vehicles, sa.vehicles);
    assert_int_equal(snap.header_ts, now);
    assert_true(snap.vehicles[0].has_position);
    assert_int_equal(mtw_snapshot_decode(&snap, a[1].bytes, a[1].len, 0, err,
                                         sizeof(err)), 0);
    assert_int_equal(snap.n_trips, sa.trip_updates + sa.canceled);
    mtw_snapshot_free(&snap);
    mtw_sim_bufs_free(b);

    /* bare: the same vehicles at the same places, no stop, no status */
    o.bare = 1;
    assert_int_equal(mtw_sim_frame(&s, &o, 20250702, midnight, now, b, &sb), 0);
    assert_int_equal(sb.vehicles, sa.vehicles);
    assert_true(b[0].len < a[0].len);
    assert_int_equal(b[1].len, a[1].len);
    mtw_snapshot_init(&snap, MTW_FEED_VEHICLES);
    assert_int_equal(mtw_snapshot_decode(&snap, b[0].bytes, b[0].len, 0, err,
                                         sizeof(err)), 0);
    for (k = 0; k < (int) snap.n_vehicles; k++) {
        assert_false(snap.vehicles[k].has_stop_seq);
        assert_null(snap.vehicles[k].stop_id);
        assert_int_equal(snap.vehicles[k].stop_status, -1);
        assert_true(snap.vehicles[k].has_position);
    }
    mtw_snapshot_free(&snap);
    o.bare = 0;
    mtw_sim_bufs_free(a);
    mtw_sim_bufs_free(b);

    /* the demo runs around the clock (03:00 too); a date outside the
     * calendar plays nothing */
    assert_int_equal(mtw_sim_frame(&s, &o, 20250702, midnight,
                                   midnight + 3 * 3600, a, &sa), 0);
    assert_true(sa.vehicles >= 10);
    mtw_sim_bufs_free(a);
    assert_int_equal(mtw_sim_frame(&s, &o, 21000102, midnight, now, a, &sa), 0);
    assert_int_equal(sa.vehicles, 0);
    mtw_sim_bufs_free(a);
    mtw_sim_schedule_free(&s);
}

static void test_missing_zip(void **state)
{
    mtw_sim_schedule s;
    char err[256];

    (void) state;
    assert_int_equal(mtw_sim_schedule_load(&s, "/nonexistent/feed.zip", err,
                                           sizeof(err)), -1);
    assert_true(strlen(err) > 0);
    mtw_sim_schedule_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_demo_feed_plays),
        cmocka_unit_test(test_missing_zip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
