/*
 * test_util.c - what the shared helpers in worker/util/ add over the two
 * allocators and writers they replaced: zeroed and heap-allocated arenas,
 * big one-off blocks that keep the current block's space, keys from data
 * escaped by the JSON writer, and a new top-level value after
 * mtw_jbuf_reset_nesting.
 */
#include "util/arena.h"
#include "util/date.h"
#include "docs/search.h"
#include "util/jbuf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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
        cmocka_unit_test(test_arena_heap_zeroed),
        cmocka_unit_test(test_jbuf_keys_and_nesting),
        cmocka_unit_test(test_jbuf_huge_numbers),
        cmocka_unit_test(test_search_index),
        cmocka_unit_test(test_date),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
