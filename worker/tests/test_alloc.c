/*
 * test_alloc.c - allocation failures, one at a time (as hiredis' tests do):
 * the JSON writer and the building of a tick's documents are run again and
 * again, the Nth allocation of the code under test failing on the Nth run,
 * until a run needs no more than N.  Every failed run must end cleanly
 * (the writer marked failed, the builder returning -1), without a crash,
 * and, in the sanitizer lane, without a leak.
 *
 * The binary is linked with --wrap=malloc,calloc,realloc,strdup (Makefile),
 * so only calls from the project's objects come here; libc's and the
 * libraries' own allocations are left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "docs/docs.h"
#include "score/synth.h"
#include "score/tick.h"
#include "score/timetable.h"
#include "util/jbuf.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);

static long alloc_count;
static long fail_at = -1;       /* the allocation that fails; -1: none */

static int should_fail(void)
{
    return alloc_count++ == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

/* the run's nth allocation (from 0) will fail */
static void arm(long n)
{
    alloc_count = 0;
    fail_at = n;
}

/* no more failures; alloc_count keeps the run's count */
static void disarm(void)
{
    fail_at = -1;
}

/* a document of a few thousand values, nested */
static int write_doc(mtw_jbuf *w)
{
    char key[32];
    int i, k;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "items");
    mtw_jw_arr(w);
    for (i = 0; i < 300; i++) {
        mtw_jw_obj(w);
        snprintf(key, sizeof(key), "k\"%d", i);
        mtw_jw_kstr(w, key, "a value with \"quotes\" and \\ backslashes");
        mtw_jw_knum(w, "x", i * 0.125, 3);
        mtw_jw_key(w, "list");
        mtw_jw_arr(w);
        for (k = 0; k < 5; k++) {
            mtw_jw_int(w, k);
        }
        mtw_jw_arr_end(w);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
    return w->failed ? -1 : 0;
}

static void test_jbuf_alloc_failures(void **state)
{
    mtw_jbuf w;
    long n, runs = 0;
    int rc;

    (void) state;
    for (n = 0;; n++) {
        arm(n);
        mtw_jbuf_init(&w);
        rc = write_doc(&w);
        disarm();
        if (alloc_count <= n) {
            assert_int_equal(rc, 0);        /* no failure was injected */
            assert_true(w.len > 10000);
            mtw_jbuf_free(&w);
            break;
        }
        assert_int_equal(rc, -1);
        assert_true(w.failed);
        mtw_jbuf_free(&w);
        runs++;
    }
    print_message("jbuf: %ld runs, each with one allocation failing\n",
                  runs);
    assert_true(runs >= 3);
}

static mtw_schedule *small_city(void)
{
    mtw_timetable *tt = mtw_timetable_create();
    mtw_schedule *s;
    char id[16], trip[16], err[128];
    int k, start;

    mtw_tt_add_calendar(tt, "WK", 0x7f, 20250101, 20251231);
    mtw_tt_add_route(tt, "R", "7", "Seventh", NULL, NULL, 3);
    mtw_tt_add_route(tt, "Q", "8", "Eighth", NULL, NULL, 3);
    for (k = 0; k < 6; k++) {
        snprintf(id, sizeof(id), "S%d", k);
        mtw_tt_add_stop(tt, id, id, 52.10 + k * 0.005, -106.60);
    }
    for (start = 7 * 3600; start <= 9 * 3600; start += 300) {
        snprintf(trip, sizeof(trip), "T%d", start);
        mtw_tt_add_trip(tt, trip, start % 600 ? "R" : "Q", "WK",
                        (start / 300) % 2, NULL, "North");
        for (k = 0; k < 6; k++) {
            snprintf(id, sizeof(id), "S%d", k);
            mtw_tt_add_stop_time(tt, trip, id, k + 1, start + k * 120,
                                 start + k * 120 + 20);
        }
    }
    s = mtw_schedule_build(tt, "America/Regina", 20250702, 0, err,
                           sizeof(err));
    mtw_timetable_free(tt);
    return s;
}

static void test_docs_alloc_failures(void **state)
{
    mtw_score_params p;
    mtw_schedule *s = small_city();
    mtw_live *l;
    mtw_tick *t;
    mtw_doc_set set;
    mtw_doc_ctx c;
    long n, runs = 0;
    int rc;

    (void) state;
    assert_non_null(s);
    mtw_score_params_default(&p);
    l = mtw_live_synthetic(s, s->base + 8 * 3600, 1, 50);
    assert_non_null(l);
    t = mtw_tick_run(s, l, s->base + 8 * 3600, &p);
    assert_non_null(t);
    assert_true(t->nv > 0);
    memset(&c, 0, sizeof(c));
    c.city = "demo";
    c.now = t->now;
    c.poll_sec = 12;
    c.system_median = 75.0;
    for (n = 0;; n++) {
        arm(n);
        mtw_doc_set_init(&set);
        rc = mtw_docs_build_tick(&set, t, &c, MTW_DOCS_ALL, NULL, NULL);
        disarm();
        mtw_doc_set_free(&set);
        if (alloc_count <= n) {
            assert_int_equal(rc, 0);
            break;
        }
        assert_int_equal(rc, -1);
        runs++;
    }
    print_message("documents: %ld runs, each with one allocation failing\n",
                  runs);
    assert_true(runs >= 10);
    mtw_tick_free(t);
    mtw_live_free(l);
    mtw_schedule_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jbuf_alloc_failures),
        cmocka_unit_test(test_docs_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
