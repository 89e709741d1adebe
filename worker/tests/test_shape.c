/*
 * test_shape.c - Douglas–Peucker simplification of route shapes.
 */
#include "score/shape.h"
#include "score/geo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

/* metres to degrees of latitude near 52°N (Saskatoon) */
#define M_LAT(m) ((m) / 111195.0)

static void test_small_inputs(void **state)
{
    mtw_latlon p[2] = { { 52.1, -106.6 }, { 52.2, -106.7 } };
    unsigned char keep[2];

    (void) state;
    assert_int_equal(mtw_simplify(p, 0, 5, keep), 0);
    assert_int_equal(mtw_simplify(p, 1, 5, keep), 1);
    assert_int_equal(keep[0], 1);
    assert_int_equal(mtw_simplify(p, 2, 5, keep), 2);
    assert_true(keep[0] && keep[1]);
}

/* a straight street with GPS-like wobble under the tolerance: the ends */
static void test_straight_line_keeps_the_ends(void **state)
{
    mtw_latlon p[50];
    unsigned char keep[50];
    int i;

    (void) state;
    for (i = 0; i < 50; i++) {
        p[i].lat = 52.1 + M_LAT(i * 20.0);
        p[i].lon = -106.6 + ((i % 2) ? 1 : -1) * 0.00002;   /* ±1.4 m */
    }
    assert_int_equal(mtw_simplify(p, 50, 5, keep), 2);
    assert_true(keep[0] && keep[49]);
}

/* a right-angle corner: the corner stays, the points along the legs go */
static void test_corner_is_kept(void **state)
{
    mtw_latlon p[21];
    unsigned char keep[21];
    int i;

    (void) state;
    for (i = 0; i <= 10; i++) {             /* north 1 km */
        p[i].lat = 52.1 + M_LAT(i * 100.0);
        p[i].lon = -106.6;
    }
    for (i = 11; i <= 20; i++) {            /* then east 1 km */
        p[i].lat = p[10].lat;
        p[i].lon = -106.6 + (i - 10) * 0.00147;   /* ~100 m at 52°N */
    }
    assert_int_equal(mtw_simplify(p, 21, 5, keep), 3);
    assert_true(keep[0] && keep[10] && keep[20]);
}

/* every dropped point is within the tolerance of the simplified line */
static void test_error_bounded(void **state)
{
    enum { N = 2000 };
    mtw_latlon *p = malloc(N * sizeof(*p));
    unsigned char *keep = malloc(N);
    size_t i, a, b, kept;
    double frac;

    (void) state;
    assert_non_null(p);
    assert_non_null(keep);
    srand(7);
    for (i = 0; i < N; i++) {               /* a winding 20 km route */
        p[i].lat = 52.1 + M_LAT(i * 10.0) * 0.7
                   + M_LAT(300.0) * ((rand() % 1000) / 1000.0 - 0.5) * 0.05;
        p[i].lon = -106.6
                   + 0.0001 * (double) (i % 97) * ((i / 97) % 2 ? 1 : -1);
    }
    kept = mtw_simplify(p, N, 5, keep);
    assert_true(kept >= 2 && kept < N);
    for (a = 0; a < N - 1; a = b) {
        for (b = a + 1; !keep[b]; b++) {
        }
        for (i = a + 1; i < b; i++) {
            assert_true(mtw_project_segment(p[i].lat, p[i].lon, p[a].lat,
                                            p[a].lon, p[b].lat, p[b].lon,
                                            &frac) <= 5.0);
        }
    }
    free(p);
    free(keep);
}

/* the set keeps each shape's simplified points in place */
static void test_shape_set(void **state)
{
    mtw_shape_set set;
    int i;

    (void) state;
    mtw_shape_set_init(&set);
    assert_int_equal(mtw_shape_begin(&set, "14", "s1", 0), 0);
    for (i = 0; i < 100; i++) {
        assert_int_equal(mtw_shape_point(&set, 52.1 + M_LAT(i * 10.0),
                                         -106.6), 0);
    }
    mtw_shape_end(&set, MTW_SHAPE_TOLERANCE_M);
    assert_int_equal(mtw_shape_begin(&set, "14", "s2", 1), 0);
    assert_int_equal(mtw_shape_point(&set, 52.2, -106.6), 0);
    assert_int_equal(mtw_shape_point(&set, 52.2, -106.5), 0);
    mtw_shape_end(&set, MTW_SHAPE_TOLERANCE_M);
    assert_int_equal(set.nshapes, 2);
    assert_int_equal(set.shapes[0].n, 2);
    assert_int_equal(set.shapes[1].first, 2);
    assert_int_equal(set.shapes[1].n, 2);
    assert_int_equal(set.npts, 4);
    assert_int_equal(set.raw_pts, 102);
    assert_true(set.pts[1].lat > 52.1 + M_LAT(980.0));
    mtw_shape_set_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_inputs),
        cmocka_unit_test(test_straight_line_keeps_the_ends),
        cmocka_unit_test(test_corner_is_kept),
        cmocka_unit_test(test_error_bounded),
        cmocka_unit_test(test_shape_set),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
