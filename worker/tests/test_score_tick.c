/*
 * test_score_tick.c - one tick end to end on a hand-made network: vehicle
 * location and delay, headways from TripUpdates / progress / positions
 * (reference-algorithms.md §12.1 H1, H8, H9 plus our tiers), the metrics
 * of a bunched route, vehicle status selection (§12.5), arrival
 * predictions (§12.9) and the published documents (parsed back with
 * jansson).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "docs/docs.h"
#include "score/calendar.h"
#include "score/geo.h"
#include "score/idmap.h"
#include "util/hash64.h"
#include "score/tick.h"

#define DAY 20250702            /* a Wednesday */
#define NSTOPS 11
#define SEG 120                 /* scheduled seconds between stops */

static mtw_schedule *sched;
static int64_t base;

static double stop_lat(int k) { return 52.10 + k * 0.005; }

/* route R northbound: stops S0..S10 ~556 m apart on a meridian; trips
 * every 300 s from 06:00 to 07:45, 120 s per segment; route Q exists with
 * no trips */
static int setup(void **state)
{
    mtw_timetable *tt = mtw_timetable_create();
    char id[16], name[32], err[128];
    int k, start;

    (void) state;
    mtw_tt_add_calendar(tt, "WK", 0x1f, 20250101, 20251231);
    mtw_tt_add_route(tt, "R", "7", "Seventh Street", "00AA00", NULL, 3);
    mtw_tt_add_route(tt, "Q", "10", "Tenth", NULL, NULL, 3);
    for (k = 0; k < NSTOPS; k++) {
        snprintf(id, sizeof(id), "S%d", k);
        snprintf(name, sizeof(name), "Stop \"%d\"", k);
        mtw_tt_add_stop(tt, id, name, stop_lat(k), -106.60);
    }
    for (start = 6 * 3600; start <= 7 * 3600 + 2700; start += 300) {
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

static mtw_vehicle *add_vehicle(mtw_live *l, const char *id,
                                const char *trip, int stop_k, int64_t ts)
{
    mtw_vehicle *v = mtw_live_add_vehicle(l, id, trip, trip ? NULL : "R");

    assert_non_null(v);
    if (stop_k >= 0) {
        v->has_pos = 1;
        v->lat = stop_lat(stop_k);
        v->lon = -106.60;
    }
    v->ts = ts;
    return v;
}

static mtw_stop_event *add_event(mtw_live *l, const char *stop, int64_t arr)
{
    mtw_stop_event *e = mtw_live_add_event(l, stop);

    assert_non_null(e);
    e->arr = arr;
    return e;
}

static const mtw_group_score *group(const mtw_tick *t, const char *route)
{
    size_t i;

    for (i = 0; i < t->ngroups; i++) {
        if (strcmp(t->groups[i].route_id, route) == 0) {
            return &t->groups[i];
        }
    }
    fail_msg("no group for route %s", route);
    return NULL;
}

/* H1: 3 vehicles whose next stop (within grace) is shared */
static void test_h1_trip_updates(void **state)
{
    int64_t T = base + 7 * 3600 + 2880;        /* 07:48 */
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_tick *t;
    const mtw_group_score *g;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "A", "T0730", -1, T - 5);
    add_vehicle(l, "B", "T0735", -1, T - 15);
    add_vehicle(l, "C", "T0740", -1, T - 20);
    mtw_live_add_tu(l, "T0730", "R");
    add_event(l, "S2", T - 600);                /* past: skipped */
    add_event(l, "S9", T + 120);
    mtw_live_add_tu(l, "T0735", "R");
    add_event(l, "S9", T + 300);
    mtw_live_add_tu(l, "T0740", "R");
    add_event(l, "S9", T + 480);
    assert_int_equal(mtw_live_index(l), 0);
    t = mtw_tick_run(sched, l, T, &p);
    assert_non_null(t);
    assert_int_equal(t->ngroups, 1);
    g = group(t, "R");
    assert_int_equal(g->source, MTW_HW_TRIP_UPDATES);
    assert_int_equal(g->observed, 180);
    assert_int_equal(g->nh, 2);
    assert_string_equal(sched->stops[g->ref_stop].id, "S9");
    assert_int_equal(g->grade, MTW_GRADE_A);
    assert_int_equal(g->confidence, MTW_CONF_HIGH);
    assert_int_equal(g->direction, 0);
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* H8: two shared stops; the one with the earliest time wins (600) */
static void test_h8_earliest_stop(void **state)
{
    int64_t T = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_tick *t;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "A", "T0730", -1, T);
    add_vehicle(l, "B", "T0735", -1, T);
    add_vehicle(l, "C", "T0740", -1, T);
    add_vehicle(l, "D", "T0745", -1, T);
    mtw_live_add_tu(l, "T0730", "R");
    add_event(l, "S1", T + 100);
    mtw_live_add_tu(l, "T0735", "R");
    add_event(l, "S1", T + 400);
    mtw_live_add_tu(l, "T0740", "R");
    add_event(l, "S2", T + 50);
    mtw_live_add_tu(l, "T0745", "R");
    add_event(l, "S2", T + 650);
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, T, &p);
    assert_non_null(t);
    assert_int_equal(group(t, "R")->observed, 600);
    assert_string_equal(sched->stops[group(t, "R")->ref_stop].id, "S2");
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* H9: PAST_ARRIVAL_GRACE: ref - 61 skipped, ref - 60 kept */
static void test_h9_grace(void **state)
{
    int64_t R = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l;
    mtw_tick *t;

    (void) state;
    mtw_score_params_default(&p);
    l = mtw_live_create();
    add_vehicle(l, "A", "T0730", -1, R);
    add_vehicle(l, "B", "T0735", -1, R);
    mtw_live_add_tu(l, "T0730", "R");
    add_event(l, "S2", R - 61);
    add_event(l, "S3", R + 100);
    mtw_live_add_tu(l, "T0735", "R");
    add_event(l, "S2", R + 30);
    add_event(l, "S3", R + 400);
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, R, &p);
    assert_int_equal(group(t, "R")->observed, 300);     /* at S3 */
    mtw_tick_free(t);
    mtw_live_free(l);

    l = mtw_live_create();
    add_vehicle(l, "A", "T0730", -1, R);
    add_vehicle(l, "B", "T0735", -1, R);
    mtw_live_add_tu(l, "T0730", "R");
    add_event(l, "S2", R - 60);
    add_event(l, "S3", R + 100);
    mtw_live_add_tu(l, "T0735", "R");
    add_event(l, "S2", R + 30);
    add_event(l, "S3", R + 400);
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, R, &p);
    assert_int_equal(group(t, "R")->observed, 90);      /* at S2 */
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* one vehicle and the route's next trip, which has an update but no
 * vehicle yet: the headway at the stop both will serve */
static void test_next_trip_update(void **state)
{
    int64_t T = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_tick *t;
    const mtw_group_score *g;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "A", "T0740", -1, T);
    mtw_live_add_tu(l, "T0740", "R");
    add_event(l, "S3", T + 100);
    add_event(l, "S4", T + 220);
    mtw_live_add_tu(l, "T0745", NULL);          /* route from the schedule */
    add_event(l, "S0", T + 130);
    add_event(l, "S4", T + 610);
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, T, &p);
    g = group(t, "R");
    assert_int_equal(g->vehicles, 1);
    assert_int_equal(g->nextra, 1);
    assert_int_equal(g->source, MTW_HW_TRIP_UPDATES);
    assert_int_equal(g->observed, 390);
    assert_string_equal(sched->stops[g->ref_stop].id, "S4");
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* positions along trips, no TripUpdates: a bunched pair and a gap */
static mtw_live *bunched_live(int64_t now)
{
    mtw_live *l = mtw_live_create();

    add_vehicle(l, "101", "T0730", 9, now);     /* on time at S9 */
    add_vehicle(l, "102", "T0735", 5, now);     /* 180 s late at S5 */
    add_vehicle(l, "103", "T0740", 4, now);     /* on time at S4 */
    l->vehicles_ts = now;
    mtw_live_index(l);
    return l;
}

/* the bunched scene reported at 07:47:50 and scored at 07:48 with the
 * default parameters, for the documents: *l is the caller's to free after
 * the tick, c the documents' context of the tick (Saskatoon, 12 s polls) */
static mtw_tick *bunched_tick(mtw_live **l, mtw_doc_ctx *c)
{
    int64_t now = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_tick *t;

    memset(c, 0, sizeof(*c));
    c->city = "saskatoon";
    c->poll_sec = 12;
    c->system_median = 75.0;
    c->now = now;
    mtw_score_params_default(&p);
    *l = bunched_live(now - 10);
    t = mtw_tick_run(sched, *l, now, &p);
    assert_non_null(t);
    return t;
}

static void test_progress_metrics(void **state)
{
    int64_t now = base + 7 * 3600 + 2880;      /* 07:48 */
    mtw_score_params p;
    mtw_live *l = bunched_live(now);
    mtw_tick *t;
    const mtw_group_score *g;

    (void) state;
    mtw_score_params_default(&p);
    t = mtw_tick_run(sched, l, now, &p);
    assert_non_null(t);
    /* vehicle 102: scheduled at S5 at 07:45, seen there at 07:48 */
    assert_true(t->vs[1].has_progress);
    assert_int_equal(t->vs[1].delay, 180);
    assert_int_equal(t->vs[1].delay_source, MTW_DELAY_PROGRESS);
    assert_string_equal(t->vs[1].status.color_str, "orange");
    assert_int_equal(t->vs[0].delay, 0);
    assert_string_equal(t->vs[0].status.label, "on_time");
    assert_true(t->vs[1].dist > 5 * 550 && t->vs[1].dist < 5 * 560);

    g = group(t, "R");
    assert_int_equal(g->source, MTW_HW_PROGRESS);
    assert_string_equal(sched->stops[g->ref_stop].id, "S5");
    assert_int_equal(g->nh, 2);
    assert_int_equal(g->headways[0], 480);
    assert_int_equal(g->headways[1], 120);
    assert_int_equal(g->observed, 300);        /* trunc((120 + 480) / 2) */
    assert_int_equal(g->scheduled, 300);
    assert_true(g->has_cv);
    assert_true(fabs(g->cv - 254.5584 / 300) < 1e-3);
    assert_int_equal(g->los, MTW_LOS_F);
    assert_true(g->has_ewt);
    assert_true(fabs(g->ewt - 54) < 1e-9);     /* 204 - 150 */
    assert_true(g->bunched == 0.0);            /* 120 >= 75 */
    assert_true(g->gapped == 0.5);             /* 480 > min(450, 480) */
    assert_int_equal(g->otp_n, 3);
    assert_true(fabs(g->otp - 1.0) < 1e-9);    /* 180 s late is on time */
    assert_int_equal(g->regime, MTW_REGIME_HEADWAY);
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* vehicles known only by route and position: the route's typical trip */
static void test_positions_tier(void **state)
{
    int64_t now = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_tick *t;
    const mtw_group_score *g;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "201", NULL, 8, now);
    add_vehicle(l, "202", NULL, 3, now);
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, now, &p);
    g = group(t, "R");
    assert_int_equal(g->source, MTW_HW_POSITIONS);
    assert_int_equal(g->observed, 5 * SEG);
    assert_int_equal(g->direction, -1);
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* one vehicle: the delay rule (reference §3.2), medium confidence */
static void test_single_vehicle(void **state)
{
    int64_t now = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_tick *t;
    const mtw_group_score *g;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "102", "T0735", 5, now);   /* 180 s late */
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, now, &p);
    g = group(t, "R");
    assert_int_equal(g->observed, -1);
    assert_true(g->has_delay);
    assert_int_equal(g->grade, MTW_GRADE_B);
    assert_int_equal(g->confidence, MTW_CONF_MEDIUM);
    assert_int_equal(g->scheduled, 300);
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* §12.5 stop selection: the first upcoming event with a delay */
static void test_status_from_trip_update(void **state)
{
    int64_t now = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    mtw_stop_event *e;
    mtw_vstate vs;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "V", "T0740", 4, now - 30);
    mtw_live_add_tu(l, "T0740", "R");
    e = add_event(l, "S1", now - 91);              /* ref - 91: skipped */
    e->has_arr_delay = 1;
    e->arr_delay = -500;
    e = add_event(l, "S2", now - 90);              /* eligible, no delay */
    e = add_event(l, "S5", now + 240);
    e->has_arr_delay = 1;
    e->arr_delay = 450;
    mtw_live_index(l);
    mtw_vehicle_state(sched, l, &l->vehicles[0], now, &p, &vs);
    assert_true(vs.has_delay);
    assert_int_equal(vs.delay_source, MTW_DELAY_TU_TIME);
    /* S2's time without a delay field vs its static time: 07:44 + ... */
    assert_int_equal(vs.delay, (int) (now - 90 - (base + 7 * 3600 + 2400
                                                  + 2 * SEG)));
    mtw_live_free(l);

    l = mtw_live_create();
    add_vehicle(l, "V", "T0740", 4, now - 30);
    mtw_live_add_tu(l, "T0740", "R");
    e = add_event(l, "S1", now - 91);
    e->has_arr_delay = 1;
    e->arr_delay = -500;
    e = add_event(l, "S5", now + 240);
    e->has_arr_delay = 1;
    e->arr_delay = 450;
    mtw_live_index(l);
    mtw_vehicle_state(sched, l, &l->vehicles[0], now, &p, &vs);
    assert_int_equal(vs.delay, 450);
    assert_int_equal(vs.delay_source, MTW_DELAY_TU);
    assert_string_equal(vs.status.color_str, "red");
    assert_string_equal(vs.status.severity, "\xf0\x9f\x94\xa5 yikes");
    assert_true(vs.has_reason);
    assert_string_equal(vs.reason,
                        "Moderate congestion detected along route R.");
    mtw_live_free(l);
}

static const mtw_prediction *pred_at(const mtw_tick *t, const char *stop,
                                     const char *vehicle)
{
    long s = mtw_schedule_stop(t->s, stop);
    uint32_t k;

    for (k = 0; s >= 0 && k < t->stop_count[s]; k++) {
        const mtw_prediction *p = &t->preds[t->stop_first[s] + k];

        if (p->vehicle >= 0
            && strcmp(t->l->vehicles[p->vehicle].id, vehicle) == 0)
        {
            return p;
        }
    }
    return NULL;
}

static void test_predictions(void **state)
{
    int64_t now = base + 7 * 3600 + 2880;
    mtw_score_params p;
    mtw_live *l = mtw_live_create();
    const mtw_prediction *pr;
    mtw_tick *t;
    mtw_stop_event *e;
    long s;
    uint32_t k;

    (void) state;
    mtw_score_params_default(&p);
    add_vehicle(l, "101", "T0730", 9, now);     /* on time at S9 */
    add_vehicle(l, "102", "T0735", 5, now);     /* 180 s late, no TU */
    add_vehicle(l, "103", "T0740", 4, now);     /* with a TripUpdate */
    add_vehicle(l, "104", "T0745", -1, now);    /* no position, no TU */
    mtw_live_add_tu(l, "T0740", "R");
    add_event(l, "S6", now + 300);              /* P1 */
    e = add_event(l, "S7", now + 400);
    e->has_arr_delay = 1;
    e->arr_delay = 120;
    mtw_live_add_tu(l, "T0725", "R");           /* an update, no vehicle */
    add_event(l, "S9", now - 61);
    add_event(l, "S10", now - 60);
    mtw_live_index(l);
    t = mtw_tick_run(sched, l, now, &p);
    assert_non_null(t);

    /* P1: TripUpdate time -> high */
    pr = pred_at(t, "S6", "103");
    assert_non_null(pr);
    assert_int_equal(pr->arrival_at, now + 300);
    assert_int_equal(pr->confidence, MTW_CONF_HIGH);
    assert_int_equal(pr->source, MTW_PRED_REALTIME);
    assert_int_equal(pr->stops_away, 2);        /* at S4: S5, S6 */
    /* S8: no event: S7's delay carried forward -> medium */
    pr = pred_at(t, "S8", "103");
    assert_non_null(pr);
    assert_int_equal(pr->source, MTW_PRED_PROPAGATED);
    assert_int_equal(pr->confidence, MTW_CONF_MEDIUM);
    assert_int_equal(pr->arrival_at, pr->scheduled_at + 120);
    /* progress: 102 is 180 s late -> S6 at its schedule + 180, medium */
    pr = pred_at(t, "S6", "102");
    assert_non_null(pr);
    assert_int_equal(pr->source, MTW_PRED_PROGRESS);
    assert_int_equal(pr->confidence, MTW_CONF_MEDIUM);
    assert_int_equal(pr->arrival_at, base + 7 * 3600 + 2100 + 6 * SEG + 180);
    /* passed stops get nothing */
    assert_null(pred_at(t, "S4", "102"));
    /* 104 has neither position nor update: the timetable, low */
    pr = pred_at(t, "S3", "104");
    assert_non_null(pr);
    assert_int_equal(pr->source, MTW_PRED_SCHEDULED);
    assert_int_equal(pr->confidence, MTW_CONF_LOW);
    assert_null(pred_at(t, "S0", "104"));       /* 07:45: now - 180 */
    /* P8 on the vehicle-less update: now - 61 dropped, now - 60 kept */
    s = mtw_schedule_stop(sched, "S9");
    for (k = 0; k < t->stop_count[s]; k++) {
        assert_string_not_equal(t->preds[t->stop_first[s] + k].trip_id,
                                "T0725");
    }
    s = mtw_schedule_stop(sched, "S10");
    pr = NULL;
    for (k = 0; k < t->stop_count[s]; k++) {
        if (strcmp(t->preds[t->stop_first[s] + k].trip_id, "T0725") == 0) {
            pr = &t->preds[t->stop_first[s] + k];
        }
    }
    assert_non_null(pr);
    assert_int_equal(pr->arrival_at, now - 60);
    assert_int_equal(pr->vehicle, -1);
    assert_int_equal(pr->confidence, MTW_CONF_HIGH);
    /* every stop's list is sorted by arrival, all of them kept (S6 has
     * 102, 103 and 104 coming) */
    assert_int_equal(t->stop_count[mtw_schedule_stop(sched, "S6")], 3);
    for (s = 0; s < (long) sched->nstops; s++) {
        for (k = 1; k < t->stop_count[s]; k++) {
            assert_true(t->preds[t->stop_first[s] + k - 1].arrival_at
                        <= t->preds[t->stop_first[s] + k].arrival_at);
        }
    }
    for (k = 0; k < t->npreds; k++) {
        assert_true(t->preds[k].arrival_at >= now - 60);
        if (t->preds[k].source == MTW_PRED_SCHEDULED) {
            assert_int_not_equal(t->preds[k].confidence, MTW_CONF_HIGH);
        }
    }
    /* next arrival of 101 (at S9): S9 itself (just there) or S10 */
    assert_true(t->vs[0].next_pred >= 0);
    mtw_tick_free(t);
    /* with a limit, each stop keeps its soonest */
    p.pred_limit = 2;
    t = mtw_tick_run(sched, l, now, &p);
    assert_int_equal(t->stop_count[mtw_schedule_stop(sched, "S6")], 2);
    assert_string_equal(t->l->vehicles[t->preds[t->stop_first[
        mtw_schedule_stop(sched, "S6")]].vehicle].id, "102");
    mtw_tick_free(t);
    /* in a room, twice (the second in the first's buffers): the same
     * predictions as a tick on its own, and the buffers back in the room */
    {
        mtw_tick_room room;
        mtw_tick *alone;
        int round;

        memset(&room, 0, sizeof(room));
        mtw_score_params_default(&p);
        alone = mtw_tick_run(sched, l, now, &p);
        assert_non_null(alone);
        for (round = 0; round < 2; round++) {
            t = mtw_tick_run_in(&room, sched, l, now, &p);
            assert_non_null(t);
            assert_null(room.preds);            /* the tick's meanwhile */
            assert_int_equal(t->npreds, alone->npreds);
            for (k = 0; k < t->npreds; k++) {
                assert_int_equal(t->preds[k].stop, alone->preds[k].stop);
                assert_int_equal(t->preds[k].vehicle,
                                 alone->preds[k].vehicle);
                assert_int_equal(t->preds[k].arrival_at,
                                 alone->preds[k].arrival_at);
                assert_string_equal(t->preds[k].trip_id,
                                    alone->preds[k].trip_id);
            }
            for (s = 0; s < (long) sched->nstops; s++) {
                assert_int_equal(t->stop_count[s], alone->stop_count[s]);
                if (t->stop_count[s] > 0) {
                    assert_int_equal(t->stop_first[s], alone->stop_first[s]);
                }
            }
            mtw_tick_free(t);
            assert_non_null(room.preds);
            assert_non_null(room.spare);
            assert_non_null(room.arena);
        }
        mtw_tick_free(alone);
        mtw_tick_room_free(&room);
    }
    mtw_live_free(l);
}

/* location helpers: haversine vectors (§12.8) and projection */
static void test_geo(void **state)
{
    double f, d;

    (void) state;
    d = mtw_haversine_m(52.1324, -106.6607, 52.1321, -106.6351);
    assert_true(fabs(d - 1750) <= 50);
    d = mtw_haversine_m(52.1324, -106.6607, 52.1333, -106.6607);
    assert_true(fabs(d - 100) <= 10);
    d = mtw_haversine_m(52.1674, -106.5755, 52.1638, -106.6227);
    assert_true(d > 3200 && d < 3300);
    assert_true(mtw_haversine_m(52, -106, 52, -106) == 0);
    d = mtw_project_segment(52.105, -106.599, 52.10, -106.60, 52.11,
                            -106.60, &f);
    assert_true(fabs(f - 0.5) < 1e-6);
    assert_true(fabs(d - 68.4) < 1.0);          /* 0.001 deg lon at 52 N */
}

/* a loop: the segment nearest in space and time wins */
static void test_locate_hint(void **state)
{
    const mtw_trip *tr = &sched->trips[mtw_schedule_find_trip(sched, "T0740",
                                                               0, -1, base)];
    mtw_vstate o;

    (void) state;
    memset(&o, 0, sizeof(o));
    mtw_locate(sched, tr, stop_lat(3) + 0.0025, -106.60,
               base + 7 * 3600 + 2400 + 3 * SEG + 60, -1, MTW_VS_UNKNOWN,
               600, &o);
    assert_true(o.has_progress);
    assert_int_equal(o.seg, 3);
    assert_int_equal(o.next_row, 4);
    /* the pattern's time (trips share patterns), plus the trip's shift */
    assert_true(fabs(o.sched_at + tr->shift - (7 * 3600 + 2400 + 3 * SEG
                                               + 60)) < 2);
    /* far off the route: not located */
    memset(&o, 0, sizeof(o));
    mtw_locate(sched, tr, 52.0, -106.0, base, -1, MTW_VS_UNKNOWN, 600, &o);
    assert_false(o.has_progress);
    /* STOPPED_AT a sequence: trusted */
    memset(&o, 0, sizeof(o));
    mtw_locate(sched, tr, stop_lat(6), -106.60, base, 7, MTW_VS_STOPPED_AT,
               600, &o);
    assert_true(o.has_progress);
    assert_int_equal(o.seg, 6);
}

static json_t *parse(const mtw_doc *d)
{
    json_error_t err;
    json_t *j = json_loadb(d->body, d->len, 0, &err);

    if (j == NULL) {
        fail_msg("%s: invalid JSON: %s", d->name, err.text);
    }
    return j;
}

static const mtw_doc *doc(const mtw_doc_set *set, const char *name)
{
    size_t i;

    for (i = 0; i < set->n; i++) {
        if (strcmp(set->docs[i].name, name) == 0) {
            return &set->docs[i];
        }
    }
    return NULL;
}

/* a memo that holds route:R as made of the inputs in *ud */
static int held_route_r(void *ud, const char *name, uint64_t inputs)
{
    return strcmp(name, "route:R") == 0 && inputs == *(uint64_t *) ud;
}

/* a route's history is made again only when the history was loaded again
 * (or when it is not known from what), its ticking part every time */
static void test_route_history_held(void **state)
{
    uint64_t held = 7;
    mtw_live *l;
    mtw_doc_ctx c;
    mtw_doc_set set;
    mtw_tick *t;
    uint64_t loads[3] = { 7, 8, 0 };
    int k;

    (void) state;
    t = bunched_tick(&l, &c);
    for (k = 0; k < 3; k++) {
        c.history_loads = loads[k];
        mtw_doc_set_init(&set);
        set.held = held_route_r;
        set.sink_ud = &held;
        assert_int_equal(mtw_docs_build_tick(&set, t, &c, MTW_DOCS_ALL,
                                             NULL, NULL), 0);
        if (k == 0) {
            assert_null(doc(&set, "route:R"));
            assert_non_null(doc(&set, "route:Q"));
        } else {
            assert_non_null(doc(&set, "route:R"));
        }
        assert_non_null(doc(&set, "route:R:now"));
        assert_non_null(doc(&set, "route:R:line"));
        mtw_doc_set_free(&set);
    }
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* a memo that holds one stop's predictions as made of some inputs */
typedef struct {
    size_t stop;
    uint64_t inputs;
    int asked;
} held_stop;

static int held_stop_ix(void *ud, size_t ix, uint64_t inputs)
{
    held_stop *h = ud;

    h->asked++;
    return ix == h->stop && inputs == h->inputs;
}

/* a stop's predictions are asked for by the stop's index and not made
 * when held as made of the same inputs; the others carry their index */
static void test_predictions_held_ix(void **state)
{
    mtw_live *l;
    mtw_doc_ctx c;
    mtw_doc_set set;
    mtw_tick *t;
    held_stop h;
    char name[64];
    size_t i, with = 0;
    int k;

    (void) state;
    t = bunched_tick(&l, &c);
    for (i = 0; i < t->s->nstops; i++) {
        if (t->stop_count[i] > 0) {
            with++;
            h.stop = i;
        }
    }
    assert_true(with >= 2);
    snprintf(name, sizeof(name), "predictions:%s", t->s->stops[h.stop].id);
    for (k = 0; k < 2; k++) {
        /* k = 0: held as made of these inputs; 1: of others */
        h.inputs = mtw_doc_predictions_inputs(t, &c, (uint32_t) h.stop)
                   + (uint64_t) k;
        h.asked = 0;
        mtw_doc_set_init(&set);
        set.held_ix = held_stop_ix;
        set.sink_ud = &h;
        assert_int_equal(mtw_docs_build_tick(&set, t, &c, MTW_DOCS_ALL,
                                             NULL, NULL), 0);
        assert_int_equal(h.asked, (int) with);
        if (k == 0) {
            assert_null(doc(&set, name));
        } else {
            assert_non_null(doc(&set, name));
            assert_int_equal(doc(&set, name)->ix, (long) h.stop);
        }
        assert_int_equal(set.held_n, k == 0 ? 1 : 0);
        assert_int_equal(doc(&set, "score")->ix, -1);
        mtw_doc_set_free(&set);
    }
    mtw_tick_free(t);
    mtw_live_free(l);
}

static void test_documents(void **state)
{
    int64_t now;
    mtw_live *l;
    mtw_doc_ctx c;
    mtw_doc_set set;
    mtw_tick *t;
    json_t *j, *item, *pr;
    const mtw_doc *d;
    char etag[20];
    size_t i;

    (void) state;
    t = bunched_tick(&l, &c);
    now = c.now;
    mtw_doc_set_init(&set);
    assert_int_equal(mtw_docs_build_tick(&set, t, &c, MTW_DOCS_ALL, NULL, NULL), 0);
    for (i = 0; i < set.n; i++) {
        json_decref(parse(&set.docs[i]));       /* every one is valid */
        mtw_etag(set.docs[i].body, set.docs[i].len, etag);
        assert_string_equal(set.docs[i].etag, etag);
        assert_int_equal(strlen(etag), 18);
    }
    /* the contract's hash (t/lib/MTW/Hash64.pm computes the same) */
    mtw_etag("", 0, etag);
    assert_string_equal(etag, "\"abc78d4889e699e6\"");
    mtw_etag("a", 1, etag);
    assert_string_equal(etag, "\"bf00ab1b64b5e6e2\"");

    assert_non_null(d = doc(&set, "score"));
    j = parse(d);
    assert_false(json_is_true(json_object_get(j, "stale")));
    assert_int_equal(json_integer_value(json_object_get(j, "age_sec")), 10);
    item = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "route_id")),
                        "R");
    assert_int_equal(json_integer_value(json_object_get(item, "direction")),
                     0);
    assert_int_equal(json_integer_value(
        json_object_get(item, "observed_headway_sec")), 300);
    assert_int_equal(json_integer_value(
        json_object_get(item, "scheduled_headway_sec")), 300);
    assert_string_equal(json_string_value(json_object_get(item, "grade")),
                        "A");
    assert_string_equal(json_string_value(
        json_object_get(item, "headway_los")), "F");
    assert_true(fabs(json_real_value(json_object_get(item, "headway_cv"))
                     - 0.85) < 1e-9);
    assert_int_equal(json_integer_value(
        json_object_get(item, "excess_wait_sec")), 54);
    assert_true(fabs(json_real_value(json_object_get(item, "gapped_share"))
                     - 0.5) < 1e-9);
    assert_string_equal(json_string_value(json_object_get(item, "regime")),
                        "headway");
    assert_string_equal(json_string_value(
        json_object_get(item, "headway_source")), "progress");
    json_decref(j);

    /* predictions at S6: real vehicle ids, status object; the list alone
     * (the module adds the stop) */
    assert_non_null(d = doc(&set, "predictions:S6"));
    j = parse(d);
    assert_int_equal(json_object_size(j), 1);
    pr = json_array_get(json_object_get(j, "predictions"), 0);
    assert_non_null(pr);
    assert_string_equal(json_string_value(json_object_get(pr, "vehicle_id")),
                        "102");
    assert_string_equal(json_string_value(json_object_get(pr, "trip_id")),
                        "T0735");
    assert_string_equal(json_string_value(json_object_get(pr, "confidence")),
                        "medium");
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(pr, "status"), "color")), "orange");
    assert_true(json_integer_value(json_object_get(pr, "arrival_in_sec"))
                >= 0);
    json_decref(j);
    assert_null(doc(&set, "predictions:S0"));   /* nothing upcoming */

    /* routes, route, live page, overview */
    assert_non_null(d = doc(&set, "routes"));
    j = parse(d);
    item = json_array_get(json_object_get(j, "routes"), 0);
    assert_string_equal(json_string_value(json_object_get(item,
                                                          "short_name")), "7");
    assert_int_equal(json_integer_value(json_object_get(item,
                                         "active_vehicles")), 3);
    assert_string_equal(json_string_value(json_object_get(item,
                        "confidence_level")), "realtime");
    item = json_array_get(json_object_get(j, "routes"), 1);
    assert_string_equal(json_string_value(json_object_get(item, "grade")),
                        "N/A");
    json_decref(j);
    /* a route's history and, apart, what changes with the ticks */
    assert_non_null(d = doc(&set, "route:R"));
    j = parse(d);
    assert_non_null(json_object_get(j, "heatmap"));
    assert_null(json_object_get(j, "live"));
    assert_null(json_object_get(j, "timestamp"));
    json_decref(j);
    assert_non_null(d = doc(&set, "route:R:now"));
    j = parse(d);
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(j, "live"), "vehicles")), 3);
    assert_non_null(json_object_get(j, "timestamp"));
    assert_null(json_object_get(j, "heatmap"));
    json_decref(j);
    assert_non_null(doc(&set, "route:Q"));
    assert_non_null(doc(&set, "route:Q:now"));
    assert_non_null(d = doc(&set, "route:R:live"));
    j = parse(d);
    /* one array of approaching buses per stop of the line */
    assert_int_equal(json_array_size(json_object_get(j, "stops")), NSTOPS);
    assert_true(json_is_array(json_array_get(json_object_get(j, "stops"),
                                             0)));
    assert_int_equal(json_array_size(json_object_get(j, "vehicles")), 3);
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(j, "headway"), "min_sec")), 120);
    json_decref(j);
    assert_non_null(d = doc(&set, "route:R:line"));
    j = parse(d);
    assert_int_equal(json_array_size(json_object_get(j, "stops")), NSTOPS);
    assert_string_equal(json_string_value(json_object_get(json_array_get(
        json_object_get(j, "stops"), 0), "id")), "S0");
    json_decref(j);
    /* every route has its live page and activity, Q with no bus */
    assert_non_null(d = doc(&set, "route:Q:live"));
    j = parse(d);
    assert_int_equal(json_array_size(json_object_get(j, "vehicles")), 0);
    json_decref(j);
    assert_non_null(d = doc(&set, "route:R:activity"));
    j = parse(d);
    assert_int_equal(json_integer_value(json_object_get(j,
                                         "active_vehicles")), 3);
    assert_int_equal(json_integer_value(json_object_get(j,
                                         "on_time_vehicles")), 3);
    assert_int_equal(json_integer_value(json_object_get(j,
                                         "health_percent")), 100);
    json_decref(j);
    assert_non_null(doc(&set, "route:Q:activity"));
    {
        mtw_jbuf w;
        json_t *stops;

        mtw_jbuf_init(&w);
        mtw_doc_route_stops(&w, sched, (uint32_t) mtw_schedule_route(sched,
                            "R"), now);
        j = json_loads(w.buf, 0, NULL);
        assert_non_null(j);
        stops = json_object_get(j, "stops");
        assert_int_equal(json_array_size(stops), NSTOPS);
        assert_string_equal(json_string_value(json_object_get(
            json_array_get(stops, 0), "id")), "S0");
        assert_string_equal(json_string_value(json_object_get(
            json_array_get(stops, NSTOPS - 1), "id")), "S10");
        json_decref(j);
        mtw_jbuf_free(&w);
    }
    assert_non_null(d = doc(&set, "overview"));
    j = parse(d);
    assert_int_equal(json_integer_value(json_object_get(j,
                                         "active_vehicles")), 3);
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(j, "now"), "gapped")), 1);
    assert_true(json_is_true(json_object_get(j, "is_feed_healthy")));
    json_decref(j);
    assert_non_null(d = doc(&set, "realtime"));
    j = parse(d);
    item = json_array_get(json_object_get(j, "vehicles"), 1);
    assert_string_equal(json_string_value(json_object_get(item, "id")),
                        "102");
    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(item, "status"), "deviation_sec")), 170);
    json_decref(j);
    mtw_doc_set_free(&set);

    /* 3 poll periods + 1 s later the same data is stale */
    c.now = now - 10 + 37;
    mtw_doc_set_init(&set);
    assert_int_equal(mtw_docs_build_tick(&set, t, &c, MTW_DOCS_ALL, NULL, NULL), 0);
    j = parse(doc(&set, "score"));
    assert_true(json_is_true(json_object_get(j, "stale")));
    json_decref(j);
    mtw_doc_set_free(&set);
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* the ETag hash: reference values (MTW::Hash64 in t/lib computes them
 * too), every byte and the length count, and strings of one length that
 * differ in one word never collide */
static void test_hash64(void **state)
{
    char body[200], other[200];
    uint64_t h, seen[64];
    size_t i, k, n = 0;

    (void) state;
    assert_true(mtw_hash64("predictions", 11) == 0x01955f4e80d38c82ULL);
    assert_true(mtw_hash64("abcdefgh", 8) == 0x9e1d23ed891d3875ULL);
    assert_true(mtw_hash64("abcdefgh", 9) == 0xe37a0e71bbea3020ULL);
    for (i = 0; i < sizeof(body); i++) {
        body[i] = (char) ('a' + i % 26);
    }
    h = mtw_hash64(body, sizeof(body));
    for (i = 0; i < sizeof(body); i++) {
        memcpy(other, body, sizeof(body));
        other[i] ^= 1;
        assert_true(mtw_hash64(other, sizeof(body)) != h);
    }
    for (i = 0; i < sizeof(body); i++) {
        assert_true(mtw_hash64(body, i) != h);
    }
    /* one word (the 9th, in lane 0) changed 64 ways: 64 different hashes */
    for (k = 0; k < 64; k++) {
        memcpy(other, body, sizeof(body));
        other[64 + k / 8] ^= (char) (1 << (k % 8));
        seen[n] = mtw_hash64(other, sizeof(body));
        for (i = 0; i < n; i++) {
            assert_true(seen[i] != seen[n]);
        }
        n++;
    }
}

static void test_json_writer(void **state)
{
    mtw_jbuf w;
    json_t *j;

    (void) state;
    mtw_jbuf_init(&w);
    mtw_jw_obj(&w);
    mtw_jw_kstr(&w, "ctl", "a\tb\x01\\\"");
    mtw_jw_kstr(&w, "bad", "ok\xff\xfe!");
    mtw_jw_kstr(&w, "utf8", "\xc3\xa9\xf0\x9f\x9a\x80");
    mtw_jw_knum(&w, "nan", NAN, 2);
    mtw_jw_knum(&w, "negzero", -0.0001, 2);
    mtw_jw_key(&w, "a");
    mtw_jw_arr(&w);
    mtw_jw_int(&w, 1);
    mtw_jw_null(&w);
    mtw_jw_arr_end(&w);
    mtw_jw_obj_end(&w);
    assert_string_equal(w.buf, "{\"ctl\":\"a\\u0009b\\u0001\\\\\\\"\","
                        "\"bad\":\"ok\xef\xbf\xbd\xef\xbf\xbd!\","
                        "\"utf8\":\"\xc3\xa9\xf0\x9f\x9a\x80\","
                        "\"nan\":null,\"negzero\":0.00,\"a\":[1,null]}");
    j = json_loads(w.buf, 0, NULL);
    assert_non_null(j);
    json_decref(j);
    mtw_jbuf_free(&w);
}

/* --- the predictions' inputs fingerprint ------------------------------------ */

#define MAX_FP_STOPS 64

typedef struct {
    uint64_t fp[MAX_FP_STOPS];
    char *doc[MAX_FP_STOPS];
} fp_snapshot;

static void fp_take(fp_snapshot *f, const mtw_tick *t, const mtw_doc_ctx *c)
{
    mtw_jbuf w;
    size_t i;

    assert_true(t->s->nstops <= MAX_FP_STOPS);
    mtw_jbuf_init(&w);
    for (i = 0; i < t->s->nstops; i++) {
        mtw_doc_predictions(&w, t, c, (uint32_t) i);
        f->doc[i] = strdup(w.buf);
        f->fp[i] = mtw_doc_predictions_inputs(t, c, (uint32_t) i);
        assert_true(f->fp[i] != 0);
    }
    mtw_jbuf_free(&w);
}

static void fp_free(fp_snapshot *f, const mtw_tick *t)
{
    size_t i;

    for (i = 0; i < t->s->nstops; i++) {
        free(f->doc[i]);
    }
}

/* after a change: a document that differs has another fingerprint, one
 * that does not keeps it; returns how many documents differ */
static int fp_compare(const fp_snapshot *a, const fp_snapshot *b,
                      const mtw_tick *t, const char *what)
{
    size_t i;
    int changed = 0;

    for (i = 0; i < t->s->nstops; i++) {
        int differs = strcmp(a->doc[i], b->doc[i]) != 0;

        if (differs != (a->fp[i] != b->fp[i])) {
            fail_msg("%s: stop %zu's document %s but its fingerprint %s",
                     what, i, differs ? "changed" : "did not",
                     a->fp[i] != b->fp[i] ? "did" : "did not");
        }
        changed += differs;
    }
    return changed;
}

/* change one input; the documents must show it, and so the fingerprints */
#define FP_CHANGE(what, stmt, expect_change)                              \
    do {                                                                  \
        fp_snapshot after;                                                \
        stmt;                                                             \
        fp_take(&after, t, &c);                                           \
        if ((fp_compare(&before, &after, t, what) > 0) != expect_change) { \
            fail_msg("%s: expected the documents %s", what,               \
                     expect_change ? "to change" : "unchanged");          \
        }                                                                 \
        fp_free(&before, t);                                              \
        before = after;                                                   \
    } while (0)

static void test_predictions_inputs(void **state)
{
    mtw_live *l;
    mtw_doc_ctx c;
    mtw_feedback fb[1];
    mtw_doc_vstates vs;
    fp_snapshot before;
    mtw_tick *t;
    mtw_prediction *pr = NULL;
    size_t i;

    (void) state;
    t = bunched_tick(&l, &c);
    for (i = 0; i < t->npreds && pr == NULL; i++) {
        if (t->preds[i].vehicle >= 0) {
            pr = &t->preds[i];
        }
    }
    assert_non_null(pr);
    fp_take(&before, t, &c);
    /* each field of a prediction, the bus's state rendered inline, its
     * votes */
    FP_CHANGE("arrival_at", pr->arrival_at += 1, 1);
    FP_CHANGE("scheduled_at", pr->scheduled_at += 1, 1);
    FP_CHANGE("confidence", pr->confidence = MTW_CONF_LOW, 1);
    FP_CHANGE("source", pr->source = MTW_PRED_SCHEDULED, 1);
    FP_CHANGE("stops_away", pr->stops_away += 1, 1);
    FP_CHANGE("trip_id", pr->trip_id = "another trip", 1);
    FP_CHANGE("route_id", pr->route_id = "another route", 1);
    FP_CHANGE("occupancy",
              l->vehicles[pr->vehicle].occupancy = 2, 1);
    FP_CHANGE("position", l->vehicles[pr->vehicle].lat += 0.001, 1);
    FP_CHANGE("status", t->vs[pr->vehicle].delay += 60, 1);
    fb[0].vehicle_id = l->vehicles[pr->vehicle].id;
    fb[0].ahead = 1;
    fb[0].on_time = fb[0].late = 0;
    fb[0].total = 1;
    FP_CHANGE("votes read", (c.feedback = fb, c.nfeedback = 1), 1);
    FP_CHANGE("a vote", fb[0].late = 1, 1);
    /* joined: the bus's state and its times are not in the documents,
     * nor in their fingerprints, but that it is joined is, and the row
     * of the stop in the trip */
    assert_true(pr->row >= 0);
    assert_int_equal(mtw_doc_vstates_build(&vs, t, &c), 0);
    FP_CHANGE("joined", c.vstates = &vs, 1);
    FP_CHANGE("position, joined", l->vehicles[pr->vehicle].lat += 0.001, 0);
    FP_CHANGE("status, joined", t->vs[pr->vehicle].delay += 60, 0);
    FP_CHANGE("arrival_at, joined", pr->arrival_at += 1, 0);
    FP_CHANGE("stops_away, joined", pr->stops_away += 1, 0);
    FP_CHANGE("row, joined", pr->row += 1, 1);
    FP_CHANGE("scheduled_at, joined", pr->scheduled_at += 1, 1);
    /* a TripUpdate's stop alone: its time stays in the document */
    FP_CHANGE("no row, joined", pr->row = -1, 1);
    FP_CHANGE("arrival_at, joined, no row", pr->arrival_at += 1, 1);
    FP_CHANGE("stops_away, joined, no row", pr->stops_away += 1, 1);
    fp_free(&before, t);
    mtw_doc_vstates_free(&vs);
    mtw_tick_free(t);
    mtw_live_free(l);
}

/* a joined bus's state carries the times of its predictions by row, and
 * the row it goes to next: what the module makes arrival_at and
 * stops_away of */
static void test_vstate_times(void **state)
{
    mtw_live *l;
    mtw_doc_ctx c;
    mtw_doc_vstates vs;
    mtw_tick *t;
    size_t i, checked = 0;

    (void) state;
    t = bunched_tick(&l, &c);
    assert_int_equal(mtw_doc_vstates_build(&vs, t, &c), 0);
    for (i = 0; i < t->npreds; i++) {
        const mtw_prediction *pr = &t->preds[i];
        json_t *st, *eta, *dt;
        json_int_t k;

        if (pr->vehicle < 0 || pr->row < 0 || vs.vid[pr->vehicle] == NULL) {
            continue;
        }
        st = json_loadb(vs.buf.buf + vs.off[pr->vehicle],
                        vs.len[pr->vehicle], 0, NULL);
        assert_non_null(st);
        eta = json_object_get(st, "eta");
        dt = json_object_get(eta, "dt");
        k = pr->row - json_integer_value(json_object_get(eta, "row"));
        assert_true(k >= 0 && (size_t) k < json_array_size(dt));
        assert_int_equal(json_integer_value(json_object_get(eta, "at"))
                         + json_integer_value(json_array_get(dt, k)),
                         pr->arrival_at);
        if (pr->stops_away >= 0) {
            assert_int_equal(pr->row - json_integer_value(
                                 json_object_get(st, "row")),
                             pr->stops_away);
        } else {
            assert_null(json_object_get(st, "row"));
        }
        json_decref(st);
        checked++;
    }
    assert_true(checked > 0);
    mtw_doc_vstates_free(&vs);
    mtw_tick_free(t);
    mtw_live_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h1_trip_updates),
        cmocka_unit_test(test_h8_earliest_stop),
        cmocka_unit_test(test_h9_grace),
        cmocka_unit_test(test_next_trip_update),
        cmocka_unit_test(test_progress_metrics),
        cmocka_unit_test(test_positions_tier),
        cmocka_unit_test(test_single_vehicle),
        cmocka_unit_test(test_status_from_trip_update),
        cmocka_unit_test(test_predictions),
        cmocka_unit_test(test_geo),
        cmocka_unit_test(test_locate_hint),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_route_history_held),
        cmocka_unit_test(test_predictions_inputs),
        cmocka_unit_test(test_predictions_held_ix),
        cmocka_unit_test(test_vstate_times),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_hash64),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
