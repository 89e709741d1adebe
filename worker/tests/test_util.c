/*
 * test_util.c - the shared helpers of worker/util/, all their tests in one
 * place: the arena (alloc, reset, limit, zeroed and heap-allocated, big
 * one-off blocks that keep the current block's space) and the JSON writer
 * (escaping, nesting, keys from data, a new top-level value after
 * mtw_jbuf_reset_nesting, huge numbers), dates, the stop search index.
 */
#include "util/arena.h"
#include "util/date.h"
#include "docs/search.h"
#include "util/jbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* --- arena ----------------------------------------------------------------- */

static void test_arena_alloc_reset_limit(void **state)
{
    mtw_arena a;
    char *p, *q, *big;
    size_t reserved;
    int i;

    (void) state;
    mtw_arena_init(&a, 256, 0);
    p = mtw_arena_alloc(&a, 3);
    q = mtw_arena_alloc(&a, 5);
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal((uintptr_t) p % 16, 0);
    assert_int_equal((uintptr_t) q % 16, 0);
    assert_true(q >= p + 16 || q < p);
    big = mtw_arena_alloc(&a, 10000);      /* larger than a block */
    assert_non_null(big);
    memset(big, 1, 10000);
    for (i = 0; i < 100; i++) {
        assert_non_null(mtw_arena_alloc(&a, 100));
    }
    assert_string_equal(mtw_arena_strdup(&a, "stop 42"), "stop 42");
    mtw_arena_reset(&a);
    assert_int_equal(a.used, 0);
    /* the next round gets one block big enough for the whole last round */
    assert_non_null(mtw_arena_alloc(&a, 10000));
    reserved = a.reserved;
    assert_true(reserved >= 10000 + 100 * 112);
    for (i = 0; i < 100; i++) {
        assert_non_null(mtw_arena_alloc(&a, 100));
    }
    assert_int_equal(a.reserved, reserved);
    /* and a steady round after that keeps that block */
    mtw_arena_reset(&a);
    assert_int_equal(a.reserved, reserved);
    assert_non_null(mtw_arena_alloc(&a, 10000));
    assert_int_equal(a.reserved, reserved);
    mtw_arena_free(&a);

    mtw_arena_init(&a, 0, 1024);
    assert_non_null(mtw_arena_alloc(&a, 1000));
    assert_null(mtw_arena_alloc(&a, 100));  /* over the limit */
    mtw_arena_free(&a);
}

/* --- JSON writer ------------------------------------------------------------- */

static void test_jsonw(void **state)
{
    mtw_jbuf w;

    (void) state;
    mtw_jbuf_init(&w);
    mtw_jw_obj(&w);
    mtw_jw_key(&w, "s");
    mtw_jw_str(&w, "a\"b\\c\n\x01" "\xc3\xa9" "\xff" "z");
    mtw_jw_key(&w, "a");
    mtw_jw_arr(&w);
    mtw_jw_int(&w, -3);
    mtw_jw_uint(&w, 18446744073709551615ULL);
    mtw_jw_double(&w, 0.1);
    mtw_jw_double(&w, 225.0);
    mtw_jw_double(&w, (float) 52.1338);
    mtw_jw_double(&w, 0.0 / 0.0);
    mtw_jw_null(&w);
    mtw_jw_bool(&w, 1);
    mtw_jw_obj(&w);
    mtw_jw_obj_end(&w);
    mtw_jw_arr_end(&w);
    mtw_jw_key(&w, "n");
    mtw_jw_str(&w, NULL);
    mtw_jw_obj_end(&w);
    assert_false(w.failed);
    assert_string_equal(w.buf,
        "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\xef\xbf\xbdz\","
        "\"a\":[-3,18446744073709551615,0.1,225.0,52.1338005065918,"
        "null,null,true,{}],\"n\":null}");
    mtw_jbuf_reset(&w);
    mtw_jw_arr(&w);
    mtw_jw_arr_end(&w);
    assert_string_equal(w.buf, "[]");
    mtw_jbuf_free(&w);
}

/* --- a small feed built with protobuf-c -------------------------------------- */

static void test_arena_heap_zeroed(void **state)
{
    mtw_arena *a = mtw_arena_create(128);
    unsigned char *p, *q, *big;
    size_t i;

    (void) state;
    assert_non_null(a);
    p = mtw_arena_alloc(a, 64);
    memset(p, 0xab, 64);
    q = mtw_arena_calloc(a, 32);
    for (i = 0; i < 32; i++) {
        assert_int_equal(q[i], 0);
    }
    /* a big one-off array goes into a block of its own behind the current
     * one: the next small allocation still comes from the current block */
    big = mtw_arena_calloc(a, 100000);
    assert_non_null(big);
    assert_int_equal(big[99999], 0);
    p = mtw_arena_alloc(a, 16);
    assert_true(p > q && p < q + 128);
    assert_int_equal(mtw_arena_used(a), 64 + 32 + 100000 + 16);
    assert_string_equal(mtw_arena_strndup(a, "route 42", 5), "route");
    assert_string_equal(mtw_arena_strndup(a, "ab", 5), "ab");
    assert_null(mtw_arena_strndup(a, NULL, 5));
    assert_null(mtw_arena_strdup(a, NULL));
    mtw_arena_destroy(a);
    mtw_arena_destroy(NULL);
}

static void test_jbuf_keys_and_nesting(void **state)
{
    mtw_jbuf w;

    (void) state;
    mtw_jbuf_init(&w);
    mtw_jw_obj(&w);
    mtw_jw_kint(&w, "plain", 1);
    mtw_jw_key(&w, "a\"b\n");
    mtw_jw_strn(&w, "xyz", 2);
    mtw_jw_kstr(&w, "tab", "a\tb\r");
    mtw_jw_obj_end(&w);
    assert_false(w.failed);
    assert_string_equal(w.buf, "{\"plain\":1,\"a\\\"b\\n\":\"xy\","
                        "\"tab\":\"a\\u0009b\\r\"}");
    /* two top-level values one after the other (one document per line) */
    mtw_jbuf_reset_nesting(&w);
    mtw_jw_arr(&w);
    mtw_jw_uint(&w, 7);
    mtw_jw_double(&w, 2.5);
    mtw_jw_arr_end(&w);
    assert_string_equal(strchr(w.buf, '['), "[7,2.5]");
    assert_string_equal(w.buf + strlen(w.buf) - 9, "\"}[7,2.5]");
    mtw_jbuf_free(&w);
}

static void test_date(void **state)
{
    int ymd = 0;

    (void) state;
    assert_int_equal(mtw_date_to_days(19700101), 0);
    assert_int_equal(mtw_days_to_date(-1), 19691231);
    assert_int_equal(mtw_date_add(20240228, 1), 20240229);
    assert_int_equal(mtw_date_weekday(20261128), 5);   /* a Saturday */
    assert_int_equal(mtw_date_parse("2025-07-02", &ymd), 0);
    assert_int_equal(ymd, 20250702);
    assert_int_equal(mtw_date_parse("2025-02-30", &ymd), -1);
}

/* The stop search index: word starts of the lower-cased name, entries of
 * text NUL id, the text cut at 64 bytes, at most 16 words */
static void test_search_index(void **state)
{
    size_t starts[MTW_SEARCH_MAX_WORDS], n, len;
    char low[256], buf[128], many[256];
    int i;

    (void) state;
    n = mtw_search_words("Primrose / 2nd AVE", low, starts);
    assert_string_equal(low, "primrose / 2nd ave");
    assert_int_equal(n, 3);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[1], 11);
    assert_int_equal(starts[2], 15);
    len = mtw_search_entry(low, starts[1], "3734", buf, sizeof(buf));
    assert_int_equal(len, 7 + 1 + 4);
    assert_memory_equal(buf, "2nd ave\0" "3734", len);
    assert_int_equal(mtw_search_words("  --  ", low, starts), 0);
    assert_int_equal(mtw_search_words("Caf\xc3\xa9 \xc3\x89toile", low, starts), 2);
    for (i = 0; i < 100; i++) {
        many[2 * i] = 'a';
        many[2 * i + 1] = ' ';
    }
    many[200] = '\0';
    assert_int_equal(mtw_search_words(many, low, starts), MTW_SEARCH_MAX_WORDS);
    len = mtw_search_entry(low, 0, "x", buf, sizeof(buf));
    assert_int_equal(len, MTW_SEARCH_MAX_TEXT + 2);
    assert_int_equal(mtw_search_entry(low, 0, "x", buf, 10), 0);
}

/* Numbers past int64_t: written as numbers, never through an undefined
 * cast (the sanitizer lane has float-cast-overflow) */
static void test_jbuf_huge_numbers(void **state)
{
    mtw_jbuf w;

    (void) state;
    mtw_jbuf_init(&w);
    mtw_jw_arr(&w);
    mtw_jw_double(&w, 1e300);
    mtw_jw_double(&w, -1e19);
    mtw_jw_num(&w, 1e300, 0);
    mtw_jw_num(&w, -1e19, 0);
    mtw_jw_num(&w, 1e300, 2);
    mtw_jw_num(&w, 12.5, 0);
    mtw_jw_arr_end(&w);
    assert_false(w.failed);
    assert_string_equal(w.buf, "[1e+300,-1e+19,1e+300,-1e+19,1e+300,13]");
    mtw_jbuf_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_reset_limit),
        cmocka_unit_test(test_jsonw),
        cmocka_unit_test(test_arena_heap_zeroed),
        cmocka_unit_test(test_jbuf_keys_and_nesting),
        cmocka_unit_test(test_jbuf_huge_numbers),
        cmocka_unit_test(test_search_index),
        cmocka_unit_test(test_date),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
