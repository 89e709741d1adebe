/*
 * test_score_metrics.c - the metric functions: the reference's test
 * vectors (reference-algorithms.md §12.1-12.6, 12.14) and our own vectors
 * at every threshold edge of the industry metrics (TCQSM, TfL EWT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "score/metrics.h"

/* §12.1 H3-H6 and §2.4: median gap, zero gaps dropped, even -> trunc */
static void test_median_gap(void **state)
{
    int64_t h3[] = { 1000 - 900, 1000 - 450, 1000 - 180 };
    int64_t h4[] = { 1000, 1101, 1201 };
    int64_t h5[] = { 500, 500, 800 };
    int64_t h6[] = { 500, 500 };
    int64_t h2[] = { 1020, 600, 780 };      /* unsorted input */
    int64_t one[] = { 5 };
    int out = 0;

    (void) state;
    assert_int_equal(mtw_median_gap(h3, 3, &out), 0);
    assert_int_equal(out, 360);
    assert_int_equal(mtw_median_gap(h4, 3, &out), 0);
    assert_int_equal(out, 100);             /* trunc(100.5) */
    assert_int_equal(mtw_median_gap(h5, 3, &out), 0);
    assert_int_equal(out, 300);
    assert_int_equal(mtw_median_gap(h6, 2, &out), -1);
    assert_int_equal(mtw_median_gap(one, 1, &out), -1);   /* H7 */
    assert_int_equal(mtw_median_gap(h2, 3, &out), 0);
    assert_int_equal(out, 210);             /* H2: gaps 180, 240 */
}

static int cmp_int_asc(const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;

    return (x > y) - (x < y);
}

/* the median by selection equals the median of the sorted values, for
 * every length up to 300 and inputs a quickselect finds hard: sorted,
 * reversed, all equal, organ pipe, few distinct values, random */
static void test_median_int_select(void **state)
{
    static int v[20000], sorted[20000];
    unsigned seed = 12345;
    size_t n, i, pattern;
    int want, got;

    (void) state;
    for (pattern = 0; pattern < 6; pattern++) {
        for (n = 1; n <= 20000; n = n < 300 ? n + 1 : n * 2 + 1) {
            for (i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                v[i] = pattern == 0 ? (int) i
                     : pattern == 1 ? (int) (n - i)
                     : pattern == 2 ? 7
                     : pattern == 3 ? (int) (i < n / 2 ? i : n - i)
                     : pattern == 4 ? (int) (seed >> 16) % 3 - 1
                     : (int) (seed >> 8) % 2001 - 1000;
            }
            memcpy(sorted, v, n * sizeof(*v));
            qsort(sorted, n, sizeof(*sorted), cmp_int_asc);
            want = n % 2 ? sorted[n / 2]
                         : (int) (((long) sorted[n / 2 - 1]
                                   + sorted[n / 2]) / 2);
            assert_int_equal(mtw_median_int(v, n, &got), 0);
            assert_int_equal(got, want);
        }
    }
    assert_int_equal(mtw_median_int(v, 0, &got), -1);
}

/* §12.2 grades and confidence */
static void test_grades(void **state)
{
    static const struct { int obs, n, has, d; mtw_grade g; mtw_confidence c; }
    v[] = {
        { 600, 3, 0, 0, MTW_GRADE_A, MTW_CONF_HIGH },
        { 601, 2, 0, 0, MTW_GRADE_B, MTW_CONF_HIGH },
        { 900, 2, 0, 0, MTW_GRADE_B, MTW_CONF_HIGH },
        { 901, 2, 0, 0, MTW_GRADE_C, MTW_CONF_HIGH },
        { 1200, 4, 0, 0, MTW_GRADE_C, MTW_CONF_HIGH },
        { 1201, 4, 0, 0, MTW_GRADE_D, MTW_CONF_HIGH },
        { 5000, 2, 0, 0, MTW_GRADE_D, MTW_CONF_HIGH },
        { -1, 1, 1, -900, MTW_GRADE_A, MTW_CONF_MEDIUM },
        { -1, 1, 1, 60, MTW_GRADE_A, MTW_CONF_MEDIUM },
        { -1, 1, 1, 61, MTW_GRADE_B, MTW_CONF_MEDIUM },
        { -1, 1, 1, 180, MTW_GRADE_B, MTW_CONF_MEDIUM },
        { -1, 1, 1, 181, MTW_GRADE_C, MTW_CONF_MEDIUM },
        { -1, 1, 1, 300, MTW_GRADE_C, MTW_CONF_MEDIUM },
        { -1, 1, 1, 301, MTW_GRADE_D, MTW_CONF_MEDIUM },
        { -1, 1, 1, 600, MTW_GRADE_D, MTW_CONF_MEDIUM },
        { -1, 1, 1, 601, MTW_GRADE_F, MTW_CONF_MEDIUM },
        { -1, 1, 0, 0, MTW_GRADE_C, MTW_CONF_LOW },
        { -1, 2, 0, 0, MTW_GRADE_NA, MTW_CONF_LOW },
        { -1, 0, 0, 0, MTW_GRADE_NA, MTW_CONF_LOW },
    };
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(mtw_grade_from_observed(v[i].obs, v[i].n, v[i].has,
                                                 v[i].d), v[i].g);
        assert_int_equal(mtw_confidence_of(v[i].obs, v[i].n, v[i].has),
                         v[i].c);
    }
    assert_string_equal(mtw_grade_str(MTW_GRADE_NA), "N/A");
    assert_string_equal(mtw_confidence_str(MTW_CONF_MEDIUM), "medium");
}

/* §12.3 system grade */
static void test_system_grade(void **state)
{
    mtw_grade g1[] = { MTW_GRADE_A, MTW_GRADE_C, MTW_GRADE_NA };
    int v1[] = { 2, 1, 0 };
    mtw_grade g2[] = { MTW_GRADE_A };
    int v2[] = { 1 };
    mtw_grade g3[] = { MTW_GRADE_F, MTW_GRADE_D };
    int v3[] = { 2, 2 };
    mtw_grade g4[] = { MTW_GRADE_F };
    mtw_grade g5[] = { MTW_GRADE_NA };
    int v5[] = { 2 };
    int v0[] = { 0 };
    double pct;

    (void) state;
    assert_int_equal(mtw_system_grade(g1, v1, 3, &pct), MTW_GRADE_B);
    assert_true(fabs(pct - 88.3) < 1e-9);
    assert_int_equal(mtw_system_grade(g2, v2, 1, &pct), MTW_GRADE_A);
    assert_true(fabs(pct - 95.0) < 1e-9);
    assert_int_equal(mtw_system_grade(g3, v3, 2, &pct), MTW_GRADE_D);
    assert_true(fabs(pct - 60.0) < 1e-9);
    assert_int_equal(mtw_system_grade(g4, v2, 1, &pct), MTW_GRADE_F);
    assert_true(fabs(pct - 50.0) < 1e-9);
    assert_int_equal(mtw_system_grade(g5, v5, 1, &pct), MTW_GRADE_C);
    assert_true(fabs(pct - 75.0) < 1e-9);
    assert_int_equal(mtw_system_grade(g2, v0, 1, &pct), MTW_GRADE_NA);
    assert_true(pct == 0.0);
    assert_int_equal(mtw_system_grade(NULL, NULL, 0, &pct), MTW_GRADE_NA);
}

/* §12.4 Bayesian adjustment and p -> grade */
static void test_history(void **state)
{
    double a[] = { 70, 80, 90, 60 }, b[] = { 50, 70, 90 };

    (void) state;
    assert_true(fabs(mtw_adjusted_performance(95, 5, 75) - 85.0) < 1e-9);
    assert_true(fabs(mtw_adjusted_performance(100, 2, 75) - 80.0) < 1e-9);
    assert_true(fabs(mtw_adjusted_performance(60, 9, 80) - 62.0) < 1e-9);
    assert_true(fabs(mtw_adjusted_performance(78, 30, 1) - 78.0) < 1e-9);
    assert_true(mtw_adjusted_performance(50, 0, 75) == 0.0);
    assert_string_equal(mtw_history_confidence(5), "medium");
    assert_string_equal(mtw_history_confidence(2), "low");
    assert_string_equal(mtw_history_confidence(10), "high");
    assert_string_equal(mtw_history_confidence(0), "none");
    assert_int_equal(mtw_grade_from_pct(90, 1), MTW_GRADE_A);
    assert_int_equal(mtw_grade_from_pct(89.99, 1), MTW_GRADE_B);
    assert_int_equal(mtw_grade_from_pct(80, 1), MTW_GRADE_B);
    assert_int_equal(mtw_grade_from_pct(79.9, 1), MTW_GRADE_C);
    assert_int_equal(mtw_grade_from_pct(70, 1), MTW_GRADE_C);
    assert_int_equal(mtw_grade_from_pct(60, 1), MTW_GRADE_D);
    assert_int_equal(mtw_grade_from_pct(59.9, 1), MTW_GRADE_F);
    assert_int_equal(mtw_grade_from_pct(0.0, 1), MTW_GRADE_NA);
    assert_int_equal(mtw_grade_from_pct(0.0, 0), MTW_GRADE_F);
    /* schedule realism grades, reference §12.12 */
    assert_string_equal(mtw_realism_grade_str(NAN), "insufficient_data");
    assert_string_equal(mtw_realism_grade_str(0.84), "over_scheduled");
    assert_string_equal(mtw_realism_grade_str(0.85), "well_scheduled");
    assert_string_equal(mtw_realism_grade_str(0.949), "well_scheduled");
    assert_string_equal(mtw_realism_grade_str(0.95), "realistic");
    assert_string_equal(mtw_realism_grade_str(1.049), "realistic");
    assert_string_equal(mtw_realism_grade_str(1.05), "under_scheduled");
    assert_string_equal(mtw_realism_grade_str(1.149), "under_scheduled");
    assert_string_equal(mtw_realism_grade_str(1.15),
                        "severely_under_scheduled");
    assert_string_equal(mtw_realism_grade_str(1.33),
                        "severely_under_scheduled");
    /* rank 7 of 30 (reference-api §2.10's example): 79th percentile */
    assert_int_equal(mtw_rank_percentile(7, 30), 79);
    assert_int_equal(mtw_rank_percentile(1, 1), 100);
    assert_int_equal(mtw_rank_percentile(3, 3), 0);
    assert_string_equal(mtw_rank_description(79), "Above Average - Top 25%");
    assert_string_equal(mtw_rank_description(90), "Excellent - Top 10%");
    assert_string_equal(mtw_rank_description(50), "Average - Middle 50%");
    assert_string_equal(mtw_rank_description(25),
                        "Below Average - Bottom 50%");
    assert_string_equal(mtw_rank_description(24), "Poor - Bottom 25%");
    assert_true(mtw_system_median(a, 4) == 75.0);
    assert_true(mtw_system_median(NULL, 0) == 75.0);
    assert_true(mtw_system_median(b, 3) == 70.0);
    assert_true(mtw_grade_display_pct(MTW_GRADE_A) == 95);
}

/* §12.5 vehicle status colour / label / severity */
static void test_status(void **state)
{
    static const struct { int d; const char *color, *label, *sev; } v[] = {
        { 450, "red", "late", "\xf0\x9f\x94\xa5 yikes" },
        { -150, "blue", "ahead", "\xf0\x9f\x8f\x83 speedy" },
        { -650, "green", "ahead", "\xf0\x9f\x9a\x80 warp speed" },
        { 30, "yellow", "on_time", "\xe2\x9c\x93 vibing" },
        { 120, "orange", "late", "\xf0\x9f\x90\x8c fashionably late" },
        { 300, "orange", "late", "\xf0\x9f\x98\xac delayed" },
        { 1200, "purple", "late", "\xf0\x9f\x92\x80 ghost bus" },
        { -90, "blue", "ahead", "\xf0\x9f\x8f\x83 speedy" },
        { 60, "yellow", "on_time", "\xe2\x9c\x93 vibing" },
        { -60, "yellow", "on_time", "\xe2\x9c\x93 vibing" },
        { 0, "yellow", "on_time", "\xe2\x9c\x93 vibing" },
        { 61, "orange", "late", "\xf0\x9f\x90\x8c fashionably late" },
        { 179, "orange", "late", "\xf0\x9f\x90\x8c fashionably late" },
        { 180, "orange", "late", "\xf0\x9f\x98\xac delayed" },
        { 419, "orange", "late", "\xf0\x9f\x98\xac delayed" },
        { 420, "red", "late", "\xf0\x9f\x94\xa5 yikes" },
        { 899, "red", "late", "\xf0\x9f\x94\xa5 yikes" },
        { 900, "purple", "late", "\xf0\x9f\x92\x80 ghost bus" },
        { -61, "blue", "ahead", "\xf0\x9f\x8f\x83 speedy" },
        { -179, "blue", "ahead", "\xf0\x9f\x8f\x83 speedy" },
        { -180, "blue", "ahead", "\xe2\x9a\xa1 zooming" },
        { -599, "blue", "ahead", "\xe2\x9a\xa1 zooming" },
        { -600, "green", "ahead", "\xf0\x9f\x9a\x80 warp speed" },
    };
    mtw_status_class c;
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        mtw_status_classify(v[i].d, &c);
        assert_string_equal(c.color_str, v[i].color);
        assert_string_equal(c.label, v[i].label);
        assert_string_equal(c.severity, v[i].sev);
    }
}

/* §12.6 reasons, deterministic branch (and always deterministic here) */
static void test_reasons(void **state)
{
    char buf[128], again[128];
    int i;

    (void) state;
    assert_int_equal(mtw_traffic_reason("10", 90, buf, sizeof(buf)), 0);
    assert_int_equal(mtw_traffic_reason("10", -90, buf, sizeof(buf)), 0);
    assert_int_equal(mtw_traffic_reason("10", 119, buf, sizeof(buf)), 0);
    assert_int_equal(mtw_traffic_reason("10", -119, buf, sizeof(buf)), 0);
    assert_int_equal(mtw_traffic_reason("15", 720, buf, sizeof(buf)), 1);
    assert_string_equal(buf,
        "Severe traffic likely impacting 15 (delay 12 min).");
    mtw_traffic_reason("15", 600, buf, sizeof(buf));
    assert_string_equal(buf,
        "Severe traffic likely impacting 15 (delay 10 min).");
    mtw_traffic_reason("15", 630, buf, sizeof(buf));
    assert_string_equal(buf,
        "Severe traffic likely impacting 15 (delay 11 min).");
    mtw_traffic_reason("20", 240, buf, sizeof(buf));
    assert_string_equal(buf, "Moderate congestion detected along route 20.");
    mtw_traffic_reason("20", 120, buf, sizeof(buf));
    assert_string_equal(buf, "Moderate congestion detected along route 20.");
    mtw_traffic_reason("20", 599, buf, sizeof(buf));
    assert_string_equal(buf, "Moderate congestion detected along route 20.");
    mtw_traffic_reason("25", -400, buf, sizeof(buf));
    assert_string_equal(buf,
        "Light traffic allowing vehicles on route 25 to run ahead.");
    mtw_traffic_reason("25", -300, buf, sizeof(buf));
    assert_string_equal(buf,
        "Light traffic allowing vehicles on route 25 to run ahead.");
    mtw_traffic_reason("25", -299, buf, sizeof(buf));
    assert_string_equal(buf, "Lower-than-normal demand on route 25.");
    mtw_traffic_reason("25", -120, buf, sizeof(buf));
    assert_string_equal(buf, "Lower-than-normal demand on route 25.");
    /* the reference drew a joke 1 time in 10: ours never changes */
    mtw_traffic_reason("7", 300, again, sizeof(again));
    for (i = 0; i < 100; i++) {
        mtw_traffic_reason("7", 300, buf, sizeof(buf));
        assert_string_equal(buf, again);
    }
}

/* TCQSM LOS edges: 0.21 A | 0.22 B, 0.30 B | 0.31 C, 0.39 C | 0.40 D,
 * 0.52 D | 0.53 E, 0.74 E | 0.75 F (classified on the published 2 dp) */
static void test_los_edges(void **state)
{
    (void) state;
    assert_int_equal(mtw_los_from_cv(0.0), MTW_LOS_A);
    assert_int_equal(mtw_los_from_cv(0.21), MTW_LOS_A);
    assert_int_equal(mtw_los_from_cv(0.2149), MTW_LOS_A);
    assert_int_equal(mtw_los_from_cv(0.2151), MTW_LOS_B);
    assert_int_equal(mtw_los_from_cv(0.22), MTW_LOS_B);
    assert_int_equal(mtw_los_from_cv(0.30), MTW_LOS_B);
    assert_int_equal(mtw_los_from_cv(0.31), MTW_LOS_C);
    assert_int_equal(mtw_los_from_cv(0.39), MTW_LOS_C);
    assert_int_equal(mtw_los_from_cv(0.40), MTW_LOS_D);
    assert_int_equal(mtw_los_from_cv(0.52), MTW_LOS_D);
    assert_int_equal(mtw_los_from_cv(0.53), MTW_LOS_E);
    assert_int_equal(mtw_los_from_cv(0.74), MTW_LOS_E);
    assert_int_equal(mtw_los_from_cv(0.75), MTW_LOS_F);
    assert_int_equal(mtw_los_from_cv(3.0), MTW_LOS_F);
    assert_string_equal(mtw_los_str(MTW_LOS_E), "E");
}

/* cv: TCQSM sd of deviations / scheduled headway (sample sd) */
static void test_cv(void **state)
{
    int even[] = { 600, 600, 600 };
    int two[] = { 500, 700 };               /* sd = 141.42 */
    int one[] = { 600 };
    int late[] = { 900, 900 };              /* all late by the same */
    double cv;

    (void) state;
    assert_int_equal(mtw_headway_cv(even, 3, 600, &cv), 0);
    assert_true(cv == 0.0);
    assert_int_equal(mtw_headway_cv(two, 2, 600, &cv), 0);
    assert_true(fabs(cv - 141.4213562 / 600) < 1e-6);
    assert_int_equal(mtw_los_from_cv(cv), MTW_LOS_B);     /* 0.24 */
    assert_int_equal(mtw_headway_cv(one, 1, 600, &cv), -1);
    assert_int_equal(mtw_headway_cv(late, 2, 600, &cv), 0);
    assert_true(cv == 0.0);                 /* regular, if not frequent */
    /* no schedule: sd / mean */
    assert_int_equal(mtw_headway_cv(two, 2, -1, &cv), 0);
    assert_true(fabs(cv - 141.4213562 / 600) < 1e-6);
}

/* cv at the LOS edges, built from two headways 600 +- x: sd = x sqrt(2),
 * so cv = x sqrt(2) / 600 */
static void test_cv_to_los_edges(void **state)
{
    static const struct { int x; mtw_los los; } v[] = {
        { 89, MTW_LOS_A },      /* cv 0.2098 */
        { 92, MTW_LOS_B },      /* cv 0.2168 */
        { 127, MTW_LOS_B },     /* cv 0.2993 */
        { 130, MTW_LOS_C },     /* cv 0.3064 */
        { 165, MTW_LOS_C },     /* cv 0.3889 */
        { 168, MTW_LOS_D },     /* cv 0.3960 */
        { 220, MTW_LOS_D },     /* cv 0.5185 */
        { 223, MTW_LOS_E },     /* cv 0.5256 */
        { 313, MTW_LOS_E },     /* cv 0.7377 */
        { 316, MTW_LOS_E },     /* cv 0.7448, published 0.74 */
        { 317, MTW_LOS_F },     /* cv 0.7472, published 0.75 */
    };
    size_t i;
    double cv;

    (void) state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int h[2] = { 600 - v[i].x, 600 + v[i].x };

        assert_int_equal(mtw_headway_cv(h, 2, 600, &cv), 0);
        assert_int_equal(mtw_los_from_cv(cv), v[i].los);
    }
}

/* TfL EWT = AWT - SWT, wait = sum(h^2) / (2 sum(h)) */
static void test_ewt(void **state)
{
    int reg[] = { 600, 600, 600 }, sched[] = { 600, 600, 600 };
    int irr[] = { 300, 900 };               /* AWT = 900000 / 2400 = 375 */
    int bunch[] = { 60, 1140 };             /* AWT = 1303200 / 2400 = 543 */
    double ewt;

    (void) state;
    assert_true(fabs(mtw_mean_wait(reg, 3) - 300) < 1e-9);
    assert_true(mtw_mean_wait(NULL, 0) < 0);
    assert_int_equal(mtw_excess_wait(reg, 3, sched, 3, &ewt), 0);
    assert_true(fabs(ewt) < 1e-9);          /* perfectly regular: 0 */
    assert_int_equal(mtw_excess_wait(irr, 2, sched, 3, &ewt), 0);
    assert_true(fabs(ewt - 75) < 1e-9);
    assert_int_equal(mtw_excess_wait(bunch, 2, sched, 3, &ewt), 0);
    assert_true(fabs(ewt - 243) < 1e-9);
    assert_int_equal(mtw_excess_wait(irr, 2, NULL, 0, &ewt), -1);
    assert_int_equal(mtw_excess_wait(NULL, 0, sched, 3, &ewt), -1);
}

/* bunched: h < 25 % of scheduled (strict); gapped: h > min(1.5 s, s+180) */
static void test_bunch_gap_edges(void **state)
{
    int at[] = { 150 }, below[] = { 149 };
    int g600_at[] = { 780 }, g600_over[] = { 781 };   /* min(900, 780) */
    int g300_at[] = { 450 }, g300_over[] = { 451 };   /* min(450, 480) */
    int g360_at[] = { 540 }, g360_over[] = { 541 };   /* 540 = 540 */
    int mix[] = { 100, 600, 600, 1000 };

    (void) state;
    assert_true(mtw_bunched_share(at, 1, 600) == 0.0);
    assert_true(mtw_bunched_share(below, 1, 600) == 1.0);
    assert_true(mtw_bunched_share(at, 1, -1) < 0);
    assert_true(mtw_bunched_share(NULL, 0, 600) < 0);
    assert_true(mtw_gapped_share(g600_at, 1, 600) == 0.0);
    assert_true(mtw_gapped_share(g600_over, 1, 600) == 1.0);
    assert_true(mtw_gapped_share(g300_at, 1, 300) == 0.0);
    assert_true(mtw_gapped_share(g300_over, 1, 300) == 1.0);
    assert_true(mtw_gapped_share(g360_at, 1, 360) == 0.0);
    assert_true(mtw_gapped_share(g360_over, 1, 360) == 1.0);
    assert_true(mtw_bunched_share(mix, 4, 600) == 0.25);
    assert_true(mtw_gapped_share(mix, 4, 600) == 0.25);
}

/* on time: 60 s early .. 300 s late inclusive, configurable */
static void test_on_time_edges(void **state)
{
    mtw_otp_window def = MTW_OTP_DEFAULT, tight = { 0, 120 };
    int d[] = { -61, -60, 0, 300, 301 };

    (void) state;
    assert_false(mtw_is_on_time(-61, &def));
    assert_true(mtw_is_on_time(-60, &def));
    assert_true(mtw_is_on_time(300, &def));
    assert_false(mtw_is_on_time(301, &def));
    assert_true(fabs(mtw_on_time_share(d, 5, &def) - 0.6) < 1e-9);
    assert_false(mtw_is_on_time(-1, &tight));
    assert_true(mtw_is_on_time(120, &tight));
    assert_false(mtw_is_on_time(121, &tight));
    assert_true(mtw_on_time_share(NULL, 0, &def) < 0);
}

/* regime: scheduled headway <= 12 min -> headway regularity */
static void test_regime(void **state)
{
    (void) state;
    assert_int_equal(mtw_regime_for(720), MTW_REGIME_HEADWAY);
    assert_int_equal(mtw_regime_for(721), MTW_REGIME_SCHEDULE);
    assert_int_equal(mtw_regime_for(300), MTW_REGIME_HEADWAY);
    assert_int_equal(mtw_regime_for(-1), MTW_REGIME_SCHEDULE);
    assert_string_equal(mtw_regime_str(MTW_REGIME_HEADWAY), "headway");
    assert_string_equal(mtw_regime_str(MTW_REGIME_SCHEDULE), "schedule");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_gap),
        cmocka_unit_test(test_median_int_select),
        cmocka_unit_test(test_grades),
        cmocka_unit_test(test_system_grade),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_los_edges),
        cmocka_unit_test(test_cv),
        cmocka_unit_test(test_cv_to_los_edges),
        cmocka_unit_test(test_ewt),
        cmocka_unit_test(test_bunch_gap_edges),
        cmocka_unit_test(test_on_time_edges),
        cmocka_unit_test(test_regime),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
