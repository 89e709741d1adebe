/*
 * test_history.c - the history rules on a hand-made network: arrivals from
 * STOPPED_AT and from progress between two snapshots (each once, delay
 * against the schedule, reset on a new trip run), from positions alone
 * (timed by distance, jitter, layover at the first stop, detour), bunching episodes (one
 * row per episode, the first step's resumable), the queue of rows waiting
 * for a commit (copies, oldest dropped at the cap), the day aggregate's arithmetic, and the EMF heartbeat
 * line of the CloudWatch contract.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "jobs/heartbeat.h"
#include "score/arrivals.h"
#include "score/day.h"
#include "score/exceptions.h"
#include "score/tu_arrivals.h"
#include "score/tick.h"

#define DAY 20250702
#define NSTOPS 6
#define SEG 120

static mtw_schedule *sched;
static int64_t base;

static double stop_lat(int k) { return 52.10 + k * 0.005; }

/* route R: stops S0..S5 (sequences 1..6), trips every 300 s from 07:00,
 * 120 s per segment */
static int setup(void **state)
{
    mtw_timetable *tt = mtw_timetable_create();
    char id[16], err[128];
    int k, start;

    (void) state;
    mtw_tt_add_calendar(tt, "WK", 0x1f, 20250101, 20251231);
    mtw_tt_add_route(tt, "R", "7", "Seventh", NULL, NULL, 3);
    for (k = 0; k < NSTOPS; k++) {
        snprintf(id, sizeof(id), "S%d", k);
        mtw_tt_add_stop(tt, id, id, stop_lat(k), -106.60);
    }
    for (start = 7 * 3600; start <= 8 * 3600; start += 300) {
        char trip[16];

        snprintf(trip, sizeof(trip), "T%02d%02d", start / 3600,
                 (start / 60) % 60);
        mtw_tt_add_trip(tt, trip, "R", "WK", 0, NULL, "North");
        for (k = 0; k < NSTOPS; k++) {
            snprintf(id, sizeof(id), "S%d", k);
            mtw_tt_add_stop_time(tt, trip, id, k + 1, start + k * SEG,
                                 start + k * SEG);
        }
    }
    sched = mtw_schedule_build(tt, "America/Regina", DAY, 0, err,
                               sizeof(err));
    mtw_timetable_free(tt);
    assert_non_null(sched);
    base = sched->base;
    return 0;
}

static int teardown(void **state)
{
    (void) state;
    mtw_schedule_free(sched);
    return 0;
}

/* one snapshot: vehicle id on trip at stop index k (sequence k + 1); for a
 * feed without stop sequences (bare), at x stops along R (x = 1.5: half way
 * from S1 to S2), lon_off degrees east of the line */
typedef struct {
    const char *id, *trip;
    int k, status;
    int64_t ts;
    int bare;
    double x, lon_off;
} snap_vehicle;

static long step(mtw_arrivals *d, const snap_vehicle *sv, int n,
                 const mtw_arrival **out, mtw_live **keep)
{
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_tick *t;
    int64_t now = 0;
    long r;
    int i;

    mtw_score_params_default(&p);
    for (i = 0; i < n; i++) {
        mtw_vehicle *v = mtw_live_add_vehicle(l, sv[i].id, sv[i].trip,
                                              NULL);

        assert_non_null(v);
        v->has_pos = 1;
        v->lat = sv[i].bare ? 52.10 + sv[i].x * 0.005 : stop_lat(sv[i].k);
        v->lon = -106.60 + sv[i].lon_off;
        v->ts = sv[i].ts;
        v->current_seq = sv[i].bare ? -1 : sv[i].k + 1;
        v->stop_status = sv[i].bare ? -1 : sv[i].status;
        now = sv[i].ts > now ? sv[i].ts : now;
    }
    assert_int_equal(mtw_live_index(l), 0);
    t = mtw_tick_run(sched, l, now, &p);
    assert_non_null(t);
    r = mtw_arrivals_step(d, t, out);
    mtw_tick_free(t);
    mtw_live_free(*keep);       /* the previous step's strings */
    *keep = l;
    return r;
}

static void test_stopped_at_once(void **state)
{
    mtw_arrivals *d = mtw_arrivals_create();
    mtw_live *l = NULL;
    const mtw_arrival *a;
    int64_t sched_s2 = base + 7 * 3600 + 2 * SEG;
    snap_vehicle v = { .id = "bus-17", .trip = "T0700", .k = 2,
                       .status = MTW_VS_STOPPED_AT, .ts = sched_s2 + 95 };

    (void) state;
    assert_int_equal(step(d, &v, 1, &a, &l), 1);
    assert_string_equal(a[0].vehicle_id, "bus-17");
    assert_string_equal(a[0].trip_id, "T0700");
    assert_string_equal(a[0].route_id, "R");
    assert_string_equal(a[0].stop_id, "S2");
    assert_int_equal(a[0].seq, 3);
    assert_int_equal(a[0].service_date, DAY);
    assert_int_equal(a[0].trip_start, 7 * 3600);
    assert_int_equal(a[0].direction, 0);
    assert_true(a[0].scheduled_at == sched_s2);
    assert_true(a[0].arrived_at == sched_s2 + 95);
    assert_int_equal(a[0].delay, 95);
    /* still standing there on the next polls: nothing new */
    v.ts += 10;
    assert_int_equal(step(d, &v, 1, &a, &l), 0);
    v.ts += 10;
    assert_int_equal(step(d, &v, 1, &a, &l), 0);
    mtw_arrivals_free(d);
    mtw_live_free(l);
}

static void test_passing_between_polls(void **state)
{
    mtw_arrivals *d = mtw_arrivals_create();
    mtw_live *l = NULL;
    const mtw_arrival *a;
    int64_t t0 = base + 7 * 3600 + 100;
    snap_vehicle v = { .id = "bus-3", .trip = "T0700", .k = 1,
                       .status = MTW_VS_IN_TRANSIT_TO, .ts = t0 };

    (void) state;
    assert_int_equal(step(d, &v, 1, &a, &l), 0);   /* heading to seq 2 */
    v.k = 4;                                        /* now heading to 5 */
    v.ts = t0 + 300;
    assert_int_equal(step(d, &v, 1, &a, &l), 3);   /* passed 2, 3, 4 */
    assert_int_equal(a[0].seq, 2);
    assert_int_equal(a[1].seq, 3);
    assert_int_equal(a[2].seq, 4);
    assert_true(a[0].arrived_at == t0 + 150);       /* the midpoint */
    assert_int_equal(a[1].delay, (int) (t0 + 150 - (base + 7 * 3600
                                                    + 2 * SEG)));
    /* stops at 5: logged; then moves on to 6: 5 is not logged again */
    v.status = MTW_VS_STOPPED_AT;
    v.ts += 20;
    assert_int_equal(step(d, &v, 1, &a, &l), 1);
    assert_int_equal(a[0].seq, 5);
    assert_true(a[0].arrived_at == t0 + 320);
    v.k = 5;
    v.status = MTW_VS_IN_TRANSIT_TO;
    v.ts += 60;
    assert_int_equal(step(d, &v, 1, &a, &l), 0);
    /* going backwards (a GPS glitch) reports nothing */
    v.k = 2;
    v.ts += 10;
    assert_int_equal(step(d, &v, 1, &a, &l), 0);
    mtw_arrivals_free(d);
    mtw_live_free(l);
}

static void test_new_run_and_unknown(void **state)
{
    mtw_arrivals *d = mtw_arrivals_create();
    mtw_live *l = NULL;
    const mtw_arrival *a;
    int64_t t0 = base + 7 * 3600 + 600;
    snap_vehicle v[3] = {
        { .id = "bus-1", .trip = "T0700", .k = 5,
          .status = MTW_VS_STOPPED_AT, .ts = t0 },
        { .id = "bus-2", .trip = "NOPE", .k = 1,          /* no such trip */
          .status = MTW_VS_STOPPED_AT, .ts = t0 },
        { .id = "bus-1", .trip = "T0700", .k = 5,         /* twice */
          .status = MTW_VS_STOPPED_AT, .ts = t0 }
    };

    (void) state;
    assert_int_equal(step(d, v, 3, &a, &l), 1);
    assert_string_equal(a[0].vehicle_id, "bus-1");
    /* the same bus on its next trip, first stop: a new run, logged */
    v[0].trip = "T0710";
    v[0].k = 0;
    v[0].ts = t0 + 30;
    assert_int_equal(step(d, v, 1, &a, &l), 1);
    assert_string_equal(a[0].trip_id, "T0710");
    assert_int_equal(a[0].seq, 1);
    /* and the previous run's last stop is not mixed in */
    assert_int_equal(a[0].trip_start, 7 * 3600 + 600);
    /* a vehicle gone for a poll is forgotten, not replayed */
    assert_int_equal(step(d, v, 0, &a, &l), 0);
    mtw_arrivals_free(d);
    mtw_live_free(l);
}

/* trip updates alone: T0710 cancelled, T0720 skipping S2 (by sequence)
 * and S4 (by stop id only), T0730 skipping a stop it does not serve, an
 * unknown trip cancelled */
static long exc_step(mtw_exceptions *x, int64_t now, const mtw_arrival **out,
                     mtw_live **keep)
{
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_trip_update *tu;
    mtw_stop_event *e;
    mtw_tick *t;
    long r;

    mtw_score_params_default(&p);
    tu = mtw_live_add_tu(l, "T0710", "R");
    tu->rel = 3;                                /* CANCELED */
    tu = mtw_live_add_tu(l, "T0720", "R");
    tu->vehicle_id = mtw_live_str(l, "bus-9");
    e = mtw_live_add_event(l, "S2");
    e->seq = 3;
    e->rel = 1;                                 /* SKIPPED */
    e = mtw_live_add_event(l, "S3");
    e->seq = 4;
    e->arr = now + 60;
    e = mtw_live_add_event(l, "S4");
    e->seq = -1;
    e->rel = 1;
    tu = mtw_live_add_tu(l, "T0730", "R");
    e = mtw_live_add_event(l, "ELSEWHERE");
    e->seq = 40;
    e->rel = 1;
    tu = mtw_live_add_tu(l, "GHOST", "R");
    tu->rel = 3;
    assert_int_equal(mtw_live_index(l), 0);
    t = mtw_tick_run(sched, l, now, &p);
    assert_non_null(t);
    r = mtw_exceptions_step(x, t, out);
    mtw_tick_free(t);
    mtw_live_free(*keep);
    *keep = l;
    return r;
}

static void test_service_exceptions(void **state)
{
    mtw_exceptions *x = mtw_exceptions_create();
    mtw_live *l = NULL;
    const mtw_arrival *a;
    int64_t now = base + 7 * 3600 + 300;

    (void) state;
    assert_int_equal(exc_step(x, now, &a, &l), 3);
    assert_int_equal(a[0].source, MTW_ARR_CANCELED);
    assert_string_equal(a[0].trip_id, "T0710");
    assert_int_equal(a[0].seq, -1);
    assert_string_equal(a[0].stop_id, "");
    assert_string_equal(a[0].vehicle_id, "");
    assert_int_equal(a[0].trip_start, 7 * 3600 + 600);
    assert_int_equal(a[0].service_date, DAY);
    /* a cancelled run is timed by its first departure */
    assert_int_equal(a[0].scheduled_at, base + 7 * 3600 + 600);
    assert_int_equal(a[0].arrived_at, now);
    assert_int_equal(a[1].source, MTW_ARR_SKIPPED);
    assert_string_equal(a[1].stop_id, "S2");
    assert_int_equal(a[1].seq, 3);
    assert_string_equal(a[1].vehicle_id, "bus-9");
    assert_int_equal(a[1].scheduled_at, base + 7 * 3600 + 1200 + 2 * SEG);
    assert_string_equal(a[2].stop_id, "S4");    /* found by its stop id */
    assert_int_equal(a[2].seq, 5);
    assert_string_equal(mtw_arrival_source_str(a[2].source), "skipped");
    /* the feed repeats them every poll: reported once */
    assert_int_equal(exc_step(x, now + 30, &a, &l), 0);
    mtw_exceptions_free(x);
    mtw_live_free(l);
}

/* trip updates alone: trip's update at now listing stops from row "from"
 * on, each predicted delay s late; from < 0: no update.  With a vehicle
 * (vk >= 0) standing at stop vk on the same trip, for the vehicle rules
 * d (NULL: none). */
static long tu_step(mtw_tu_arrivals *x, mtw_arrivals *d, const char *trip,
                    int64_t t0, int64_t now, int from, int delay, int vk,
                    const mtw_arrival **out, const mtw_arrival **vout,
                    long *nv, mtw_live **keep)
{
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_trip_update *tu;
    mtw_stop_event *e;
    mtw_vehicle *v;
    mtw_tick *t;
    char id[8];
    long r;
    int k;

    mtw_score_params_default(&p);
    if (vk >= 0) {
        v = mtw_live_add_vehicle(l, "bus-1", trip, NULL);
        v->has_pos = 1;
        v->lat = stop_lat(vk);
        v->lon = -106.60;
        v->ts = now;
        v->current_seq = vk + 1;
        v->stop_status = MTW_VS_STOPPED_AT;
    }
    if (from >= 0) {
        tu = mtw_live_add_tu(l, trip, "R");
        tu->ts = now;
        for (k = from; k < NSTOPS; k++) {
            snprintf(id, sizeof(id), "S%d", k);
            e = mtw_live_add_event(l, id);
            e->seq = k + 1;
            e->arr = t0 + k * SEG + delay;
        }
    }
    assert_int_equal(mtw_live_index(l), 0);
    t = mtw_tick_run(sched, l, now, &p);
    assert_non_null(t);
    if (d != NULL) {
        mtw_arrivals_after(d, x);
        *nv = mtw_arrivals_step(d, t, vout);
    }
    r = mtw_tu_arrivals_step(x, t, out);
    mtw_tick_free(t);
    mtw_live_free(*keep);
    *keep = l;
    return r;
}

static void test_trip_update_arrivals(void **state)
{
    mtw_tu_arrivals *x = mtw_tu_arrivals_create();
    mtw_arrivals *d = mtw_arrivals_create();
    mtw_live *l = NULL;
    const mtw_arrival *a, *va;
    int64_t t0 = base + 7 * 3600, t1 = base + 7 * 3600 + 600;
    long nv = 0;

    (void) state;
    /* first sight, S1..S5 predicted 10 s late: predictions only */
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 30, 1, 10, -1, &a,
                             NULL, NULL, &l), 0);
    /* S1 (due t0 + 130) gone by t0 + 150: passed at its prediction; S0,
     * never seen listed, is not guessed */
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 150, 2, 10, -1, &a,
                             NULL, NULL, &l), 1);
    assert_string_equal(a[0].stop_id, "S1");
    assert_int_equal(a[0].seq, 2);
    assert_int_equal(a[0].arrived_at, t0 + 130);
    assert_int_equal(a[0].delay, 10);
    assert_int_equal(a[0].source, MTW_ARR_TRIP_UPDATE);
    assert_string_equal(mtw_arrival_source_str(a[0].source), "trip_update");
    /* S2 still listed, its time (t0 + 250) passed at t0 + 260: reached
     * then; once */
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 260, 2, 10, -1, &a,
                             NULL, NULL, &l), 1);
    assert_int_equal(a[0].arrived_at, t0 + 250);
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 280, 2, 10, -1, &a,
                             NULL, NULL, &l), 0);
    /* S3 (predicted t0 + 370) gone by t0 + 350: passed, but not after the
     * update that no longer lists it */
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 350, 4, 10, -1, &a,
                             NULL, NULL, &l), 1);
    assert_string_equal(a[0].stop_id, "S3");
    assert_int_equal(a[0].arrived_at, t0 + 350);
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 500, 5, 10, -1, &a,
                             NULL, NULL, &l), 1);
    assert_string_equal(a[0].stop_id, "S4");
    assert_int_equal(a[0].arrived_at, t0 + 490);
    /* the update gone (the run over): its last stop, predicted by now */
    assert_int_equal(tu_step(x, NULL, "T0700", t0, t0 + 1000, -1, 10, -1, &a,
                             NULL, NULL, &l), 1);
    assert_string_equal(a[0].stop_id, "S5");
    assert_int_equal(a[0].arrived_at, t0 + 610);
    /* T0710: the trip-update rules report S1, then a bus takes the run
     * over standing at S1 (sequence 2): the vehicle rules start after
     * it; at S2 they report S2, and the trip-update rules stay out */
    assert_int_equal(tu_step(x, d, "T0710", t1, t1 + 30, 1, 0, -1, &a, &va,
                             &nv, &l), 0);
    assert_int_equal(tu_step(x, d, "T0710", t1, t1 + 150, 2, 0, -1, &a, &va,
                             &nv, &l), 1);
    assert_int_equal(tu_step(x, d, "T0710", t1, t1 + 160, 2, 0, 1, &a, &va,
                             &nv, &l), 0);
    assert_int_equal(nv, 0);
    assert_int_equal(tu_step(x, d, "T0710", t1, t1 + 250, 3, 0, 2, &a, &va,
                             &nv, &l), 0);
    assert_int_equal(nv, 1);
    assert_string_equal(va[0].stop_id, "S2");
    mtw_tu_arrivals_free(x);
    mtw_arrivals_free(d);
    mtw_live_free(l);
}

/* one vehicle of a feed without stop sequences (snap_vehicle's bare) */
static long pos_step(mtw_arrivals *d, const char *trip, double x,
                     double lon_off, int64_t ts, const mtw_arrival **out,
                     mtw_live **keep)
{
    snap_vehicle v = { .id = "bus-9", .trip = trip, .ts = ts, .bare = 1,
                       .x = x, .lon_off = lon_off };

    return step(d, &v, 1, out, keep);
}

static void test_position_between_polls(void **state)
{
    mtw_arrivals *d = mtw_arrivals_create();
    mtw_live *l = NULL;
    const mtw_arrival *a;
    int64_t t0 = base + 7 * 3600 + 60;

    (void) state;
    assert_int_equal(pos_step(d, "T0700", 0.5, 0, t0, &a, &l), 0);
    /* 3 stops further 300 s later: S1, S2, S3 passed, timed by distance */
    assert_int_equal(pos_step(d, "T0700", 3.5, 0, t0 + 300, &a, &l), 3);
    assert_int_equal(a[0].seq, 2);
    assert_int_equal(a[2].seq, 4);
    assert_string_equal(a[1].stop_id, "S2");
    assert_int_equal(a[0].source, MTW_ARR_POSITION);
    assert_true(llabs(a[0].arrived_at - (t0 + 50)) <= 1);
    assert_true(llabs(a[1].arrived_at - (t0 + 150)) <= 1);
    assert_true(llabs(a[2].arrived_at - (t0 + 250)) <= 1);
    assert_int_equal(a[1].delay, (int) (a[1].arrived_at
                                        - (base + 7 * 3600 + 2 * SEG)));
    /* GPS jitter backwards, then back where it was: nothing */
    assert_int_equal(pos_step(d, "T0700", 3.3, 0, t0 + 310, &a, &l), 0);
    assert_int_equal(pos_step(d, "T0700", 3.5, 0, t0 + 320, &a, &l), 0);
    /* standing at S4: arrived when it got there, once */
    assert_int_equal(pos_step(d, "T0700", 4.0, 0, t0 + 400, &a, &l), 1);
    assert_int_equal(a[0].seq, 5);
    assert_true(a[0].arrived_at == t0 + 400);
    assert_int_equal(pos_step(d, "T0700", 4.0, 0, t0 + 420, &a, &l), 0);
    assert_int_equal(pos_step(d, "T0700", 4.2, 0, t0 + 440, &a, &l), 0);
    /* the terminal: S5 once */
    assert_int_equal(pos_step(d, "T0700", 5.0, 0, t0 + 500, &a, &l), 1);
    assert_int_equal(a[0].seq, 6);
    assert_int_equal(pos_step(d, "T0700", 5.0, 0, t0 + 520, &a, &l), 0);
    mtw_arrivals_free(d);
    mtw_live_free(l);
}

static void test_position_layover_and_detour(void **state)
{
    mtw_arrivals *d = mtw_arrivals_create();
    mtw_live *l = NULL;
    const mtw_arrival *a;
    int64_t t0 = base + 7 * 3600 + 1200 - 240;    /* T0720, 4 min early */
    int i;

    (void) state;
    /* waiting at the first stop: arrived when first seen, once */
    assert_int_equal(pos_step(d, "T0720", 0, 0, t0, &a, &l), 1);
    assert_int_equal(a[0].seq, 1);
    assert_true(a[0].arrived_at == t0);
    for (i = 1; i <= 4; i++) {
        assert_int_equal(pos_step(d, "T0720", 0, 0, t0 + 60 * i, &a, &l),
                         0);
    }
    assert_int_equal(pos_step(d, "T0720", 1.5, 0, t0 + 400, &a, &l), 1);
    assert_int_equal(a[0].seq, 2);
    /* a detour 1.4 km off the line: not located, nothing */
    assert_int_equal(pos_step(d, "T0720", 2.5, 0.02, t0 + 460, &a, &l), 0);
    assert_int_equal(pos_step(d, "T0720", 3.0, 0.02, t0 + 520, &a, &l), 0);
    /* back on the line past S3: S2 and S3 passed since the last point */
    assert_int_equal(pos_step(d, "T0720", 3.5, 0, t0 + 600, &a, &l), 2);
    assert_int_equal(a[0].seq, 3);
    assert_int_equal(a[1].seq, 4);
    assert_true(a[0].arrived_at > t0 + 400 && a[0].arrived_at < a[1].arrived_at
                && a[1].arrived_at < t0 + 600);
    mtw_arrivals_free(d);
    mtw_live_free(l);
}

/* a tick with one group, built by hand: the episode logic only */
static void test_bunching_episodes(void **state)
{
    mtw_bunch_state *b = mtw_bunch_state_create();
    mtw_live *l = mtw_live_create();
    const mtw_bunching *e;
    mtw_group_score g[2];
    uint32_t members[2] = { 0, 1 };
    mtw_tick t;

    (void) state;
    assert_non_null(mtw_live_add_vehicle(l, "A1", "T0700", "R"));
    assert_non_null(mtw_live_add_vehicle(l, "B2", "T0705", "R"));
    memset(&t, 0, sizeof(t));
    memset(g, 0, sizeof(g));
    t.s = sched;
    t.l = l;
    t.groups = g;
    t.ngroups = 1;
    t.now = base + 8 * 3600;
    g[0].route_id = "R";
    g[0].direction = 0;
    g[0].vehicles = 2;
    g[0].members = members;
    g[0].ref_stop = 3;
    g[0].scheduled = 300;
    g[0].nh = 2;
    g[0].headways[0] = 40;
    g[0].headways[1] = 560;
    g[0].n_bunched = 1;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 1);
    assert_string_equal(e[0].route_id, "R");
    assert_string_equal(e[0].stop_id, "S3");
    assert_int_equal(e[0].headway, 40);
    assert_int_equal(e[0].scheduled, 300);
    assert_int_equal(e[0].nvehicles, 2);
    assert_string_equal(e[0].vehicle_ids[0], "A1");
    assert_string_equal(e[0].vehicle_ids[1], "B2");
    assert_true(e[0].detected_at == t.now);
    assert_int_equal(e[0].service_date, DAY);
    assert_int_equal(e[0].resumable, 1);    /* first seen: maybe resumed */
    /* still bunched: the same episode */
    t.now += 10;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 0);
    /* the other direction bunches too: its own episode */
    g[1] = g[0];
    g[1].direction = 1;
    t.ngroups = 2;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 1);
    assert_int_equal(e[0].direction, 1);
    assert_int_equal(e[0].resumable, 1);    /* direction 1 first seen */
    /* direction 0 recovers, then bunches again: a second episode */
    g[0].n_bunched = 0;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 0);
    g[0].n_bunched = 1;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 1);
    assert_int_equal(e[0].direction, 0);
    assert_int_equal(e[0].resumable, 0);    /* opened while running */
    /* no scheduled headway: no bunching to speak of */
    t.ngroups = 0;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 0);
    g[0].scheduled = -1;
    t.ngroups = 1;
    assert_int_equal(mtw_bunching_step(b, &t, &e), 0);
    mtw_bunch_state_free(b);
    mtw_live_free(l);
}

/* rows wait, as copies, until committed; the cap drops the oldest */
static void test_pending_queue(void **state)
{
    mtw_histq *q = mtw_histq_create(5, 2);
    const mtw_arrival *qa;
    const mtw_bunching *qb;
    mtw_arrival a[4];
    mtw_bunching b;
    char vid[4][8], stop[8] = "S1", route[8] = "R";
    char v1[8] = "A1", v2[8] = "B2";
    const char *ids[2] = { v1, v2 };
    size_t n;
    int i;

    (void) state;
    assert_non_null(q);
    memset(a, 0, sizeof(a));
    for (i = 0; i < 4; i++) {
        snprintf(vid[i], sizeof(vid[i]), "V%d", i);
        a[i].route_id = route;
        a[i].trip_id = "T0700";
        a[i].stop_id = stop;
        a[i].vehicle_id = vid[i];
        a[i].seq = i + 1;
        a[i].arrived_at = 1000 + i;
    }
    assert_int_equal(mtw_histq_add_arrivals(q, a, 3), 0);
    /* the tick's memory goes away: the queue keeps its own copies */
    strcpy(vid[0], "XX");
    strcpy(stop, "ZZ");
    qa = mtw_histq_arrivals(q, &n);
    assert_int_equal(n, 3);
    assert_string_equal(qa[0].vehicle_id, "V0");
    assert_string_equal(qa[0].stop_id, "S1");
    assert_int_equal(qa[2].seq, 3);
    /* a failed write removes nothing; a commit of the first 2 does */
    mtw_histq_done_arrivals(q, 2);
    qa = mtw_histq_arrivals(q, &n);
    assert_int_equal(n, 1);
    assert_int_equal(qa[0].seq, 3);
    /* an outage: 1 + 4 + 4 = 9 > 5, the 4 oldest go */
    assert_int_equal(mtw_histq_add_arrivals(q, a, 4), 0);
    assert_int_equal(mtw_histq_add_arrivals(q, a, 4), 4);
    qa = mtw_histq_arrivals(q, &n);
    assert_int_equal(n, 5);
    assert_int_equal(qa[0].seq, 4);         /* oldest kept: 2nd batch's */
    assert_int_equal(qa[1].seq, 1);         /* then the 3rd batch */
    assert_int_equal(qa[4].seq, 4);
    mtw_histq_done_arrivals(q, 99);         /* more than queued: all */
    mtw_histq_arrivals(q, &n);
    assert_int_equal(n, 0);

    memset(&b, 0, sizeof(b));
    b.route_id = route;
    b.stop_id = "S3";
    b.nvehicles = 2;
    b.vehicle_ids = ids;
    b.resumable = 1;
    b.detected_at = 5000;
    assert_int_equal(mtw_histq_add_bunching(q, &b, 1), 0);
    strcpy(v1, "QQ");
    b.detected_at = 5010;
    b.resumable = 0;
    assert_int_equal(mtw_histq_add_bunching(q, &b, 1), 0);
    b.detected_at = 5020;
    assert_int_equal(mtw_histq_add_bunching(q, &b, 1), 1);
    qb = mtw_histq_bunching(q, &n);
    assert_int_equal(n, 2);
    assert_true(qb[0].detected_at == 5010);
    assert_string_equal(qb[0].vehicle_ids[0], "QQ");
    assert_string_equal(qb[1].vehicle_ids[1], "B2");
    assert_int_equal(qb[1].nvehicles, 2);
    assert_int_equal(qb[0].resumable, 0);
    /* freed with rows still queued: nothing leaks (ASan lane) */
    assert_int_equal(mtw_histq_add_arrivals(q, a, 2), 0);
    mtw_histq_free(q);
}

static void test_day_aggregate(void **state)
{
    mtw_otp_window w = MTW_OTP_DEFAULT;
    int d[] = { 300, -61, 301, -60, 0, 100 };
    int neg[] = { -1, -2 };
    mtw_day_perf p;

    (void) state;
    assert_int_equal(mtw_day_aggregate(d, 6, &w, &p), 0);
    assert_int_equal(p.n, 6);
    assert_int_equal(p.avg_delay, 97);          /* 580 / 6 = 96.67 */
    assert_int_equal(p.median_delay, 50);       /* (0 + 100) / 2 */
    /* -61 early, 301 late; -60 and 300 are on time (the window's edges) */
    assert_true(p.on_time_pct == 66.67);
    assert_true(p.early_pct == 16.67);
    assert_true(p.late_pct == 16.67);
    assert_int_equal(mtw_day_aggregate(neg, 2, &w, &p), 0);
    assert_int_equal(p.avg_delay, -2);          /* -1.5: half away */
    assert_int_equal(p.median_delay, -1);       /* trunc(-3 / 2) */
    assert_true(p.on_time_pct == 100.0);
    assert_int_equal(mtw_day_aggregate(d, 0, &w, &p), -1);
    assert_int_equal(p.n, 0);
}

/* the day's rows streamed in (route, direction, stop, scheduled) order */
static void day_row(mtw_day *d, const char *route, int dir,
                    const char *stop, const char *trip, int32_t start,
                    int64_t due, int64_t arr)
{
    mtw_day_row r;

    r.route_id = route;
    r.direction = dir;
    r.stop_id = stop;
    r.trip_id = trip;
    r.trip_start = start;
    r.has_sched = due > 0;
    r.scheduled_at = due;
    r.arrived_at = arr;
    r.has_delay = due > 0;
    r.delay = (int) (arr - due);
    assert_int_equal(mtw_day_add(d, &r), 0);
}

static void test_day_stream(void **state)
{
    mtw_otp_window w = MTW_OTP_DEFAULT;
    const mtw_day_route *r;
    mtw_day *d = mtw_day_create(&w);
    char trip[8];
    size_t n;
    int k, stop;

    (void) state;
    /* route 1: three runs at stop A (the last untimed), then B, then B
     * again in the other direction: pairs (540, 600) at A, (700, 600)
     * and (560, 600) at B; none to the untimed row, none across stops or
     * directions */
    day_row(d, "1", 0, "A", "t1", 1000, 1000, 1060);
    day_row(d, "1", 0, "A", "t2", 1600, 1600, 1600);
    day_row(d, "1", 0, "A", "t3", 2200, 0, 2260);
    day_row(d, "1", 0, "B", "t1", 1000, 1300, 1300);
    day_row(d, "1", 0, "B", "t2", 1600, 1900, 2000);
    day_row(d, "1", 0, "B", "t3", 2200, 2500, 2560);
    day_row(d, "1", 1, "B", "t4", 5000, 5000, 5030);
    /* route 2: five runs over stops X, Y, Z, scheduled 300 s apart; four
     * take 660 s for the 600 (ratio 1.1), one 540 s (0.9) */
    for (stop = 0; stop < 3; stop++) {
        for (k = 1; k <= 5; k++) {
            snprintf(trip, sizeof(trip), "r%d", k);
            day_row(d, "2", 0, stop == 0 ? "X" : stop == 1 ? "Y" : "Z",
                    trip, 1000 * k, 10000 + 1000 * k + 300 * stop,
                    10000 + 1000 * k + (k == 5 ? 270 : 330) * stop);
        }
    }
    r = mtw_day_finish(d, &n);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].route_id, "1");
    assert_int_equal(r[0].arrivals, 7);
    assert_int_equal(r[0].trip_runs, 4);
    assert_int_equal(r[0].has_realism, 0);      /* no run has 3 timed stops */
    /* delays 60 0 0 100 60 30: mean 41.67, median (30 + 60) / 2 */
    assert_int_equal(r[0].perf.n, 6);
    assert_int_equal(r[0].perf.avg_delay, 42);
    assert_int_equal(r[0].perf.median_delay, 45);
    assert_int_equal(r[0].reg.n, 3);
    assert_int_equal(r[0].reg.gaps, 0);
    assert_true(fabs(r[0].reg.excess_wait
                     - ((540.0 * 540 + 700.0 * 700 + 560.0 * 560)
                        / (2 * 1800.0) - 300)) < 1e-9);
    assert_string_equal(r[1].route_id, "2");
    assert_int_equal(r[1].arrivals, 15);
    assert_int_equal(r[1].trip_runs, 5);
    assert_int_equal(r[1].has_realism, 1);
    assert_true(fabs(r[1].realism - 1.06) < 1e-9);   /* (4 x 1.1 + 0.9) / 5 */
    mtw_day_free(d);
}

/* a route of 3,000 trip runs (its table of runs grows several times),
 * rows in stop order as the database hands them over: one trip id run
 * at two start times is two runs; each run's span from its first to its
 * last timed stop, whatever rows come between */
static void test_day_many_runs(void **state)
{
    mtw_otp_window w = MTW_OTP_DEFAULT;
    const mtw_day_route *r;
    mtw_day *d = mtw_day_create(&w);
    char trip[16], stop[8];
    size_t n;
    int k, s;

    (void) state;
    for (s = 0; s < 3; s++) {
        snprintf(stop, sizeof(stop), "S%d", s);
        for (k = 0; k < 3000; k++) {
            /* runs k and k + 1500 share a trip id, an hour apart */
            snprintf(trip, sizeof(trip), "trip-%d", k % 1500);
            /* scheduled 600 s from the first stop to the last; odd runs
             * take 900 s (1.5), even ones 600 (1.0) */
            day_row(d, "9", 0, stop, trip, 3600 * (k / 1500) + k,
                    100000 + 10 * k + 300 * s,
                    100000 + 10 * k + (k % 2 ? 450 : 300) * s);
        }
    }
    r = mtw_day_finish(d, &n);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].arrivals, 9000);
    assert_int_equal(r[0].trip_runs, 3000);
    assert_int_equal(r[0].has_realism, 1);
    assert_true(fabs(r[0].realism - 1.25) < 1e-9);
    mtw_day_free(d);
}

/* headway pairs (observed, scheduled) of one route's day */
static void test_day_regularity(void **state)
{
    /* deviations -60, 0, +60, +300 from 600 s: mean 75, variance
     * (135^2 + 75^2 + 15^2 + 225^2) / 3 = 24900, cv sqrt(24900) / 600 =
     * 0.263 (LOS B); 900 > min(900, 780): one gap */
    int h[] = { 540, 600, 660, 900, 0 }, s[] = { 600, 600, 600, 600, 600 };
    mtw_day_regularity r;

    (void) state;
    mtw_day_regularity_of(h, s, 5, &r);
    assert_int_equal(r.n, 4);
    assert_true(fabs(r.cv - sqrt(24900.0) / 600) < 1e-9);
    assert_int_equal(r.los, MTW_LOS_B);
    assert_int_equal(r.gaps, 1);
    /* mean waits: sum(h^2) / (2 sum(h)) against 600 / 2 */
    assert_true(fabs(r.excess_wait
                     - ((540.0 * 540 + 600.0 * 600 + 660.0 * 660
                         + 900.0 * 900) / 5400 - 300)) < 1e-9);
    mtw_day_regularity_of(h, s, 1, &r);
    assert_int_equal(r.n, 1);
    assert_true(isnan(r.cv));
    assert_true(fabs(r.excess_wait - (270 - 300)) < 1e-9);
    mtw_day_regularity_of(h, s, 0, &r);
    assert_int_equal(r.n, 0);
    assert_true(isnan(r.excess_wait));
}

static void test_heartbeat_line(void **state)
{
    char buf[512];
    json_t *j, *m;
    json_error_t jerr;
    int n;

    (void) state;
    n = mtw_heartbeat_line(buf, sizeof(buf), "MindTheWait/prod", "saskatoon",
                           1767225600000LL);
    assert_true(n > 0 && buf[n - 1] == '\n');
    assert_null(memchr(buf, '\n', (size_t) n - 1));     /* one line */
    j = json_loads(buf, 0, &jerr);
    assert_non_null(j);
    assert_true(json_integer_value(json_object_get(json_object_get(j,
                "_aws"), "Timestamp")) == 1767225600000LL);
    m = json_array_get(json_object_get(json_object_get(j, "_aws"),
                                       "CloudWatchMetrics"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "Namespace")),
                        "MindTheWait/prod");
    assert_string_equal(json_string_value(json_array_get(json_array_get(
        json_object_get(m, "Dimensions"), 0), 0)), "City");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
        json_object_get(m, "Metrics"), 0), "Name")), "WorkerHeartbeat");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
        json_object_get(m, "Metrics"), 0), "Unit")), "Count");
    assert_string_equal(json_string_value(json_object_get(j, "City")),
                        "saskatoon");
    assert_int_equal(json_integer_value(json_object_get(j,
                     "WorkerHeartbeat")), 1);
    json_decref(j);
    assert_int_equal(mtw_heartbeat_line(buf, 40, "MindTheWait/prod", "x",
                                        1), -1);
    assert_true(mtw_metrics_namespace_valid("MindTheWait/staging"));
    assert_false(mtw_metrics_namespace_valid(""));
    assert_false(mtw_metrics_namespace_valid("AWS/ECS"));
    assert_false(mtw_metrics_namespace_valid("a\"b"));
    assert_false(mtw_metrics_namespace_valid("a b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_at_once),
        cmocka_unit_test(test_passing_between_polls),
        cmocka_unit_test(test_new_run_and_unknown),
        cmocka_unit_test(test_position_between_polls),
        cmocka_unit_test(test_position_layover_and_detour),
        cmocka_unit_test(test_bunching_episodes),
        cmocka_unit_test(test_pending_queue),
        cmocka_unit_test(test_day_aggregate),
        cmocka_unit_test(test_day_regularity),
        cmocka_unit_test(test_day_stream),
        cmocka_unit_test(test_day_many_runs),
        cmocka_unit_test(test_service_exceptions),
        cmocka_unit_test(test_trip_update_arrivals),
        cmocka_unit_test(test_heartbeat_line),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
