/*
 * test_gtfs_idset.c - the id sets the importer checks references with, and
 * the city slug rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gtfs/gtfs_import.h"
#include "gtfs/idset.h"
#include "util/siphash.h"

/* The paper's test vector (key 00..0f, message 00..0e) and the empty
 * message's, then the per-set key: one id hashes apart in two sets. */
static void test_keyed_hash(void **state)
{
    const uint64_t key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
    unsigned char msg[15];
    mtw_idset *a = mtw_idset_create(), *b = mtw_idset_create();
    int i, apart = 0;
    char id[16];

    (void) state;
    for (i = 0; i < 15; i++) {
        msg[i] = (unsigned char) i;
    }
    assert_true(mtw_siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
    assert_true(mtw_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
    assert_non_null(a);
    assert_non_null(b);
    for (i = 0; i < 8; i++) {
        snprintf(id, sizeof(id), "trip-%d", i);
        apart += mtw_idset_hash(a, id, strlen(id))
                 != mtw_idset_hash(b, id, strlen(id));
    }
    assert_true(apart >= 7);    /* unkeyed, all 8 would be equal */
    mtw_idset_free(a);
    mtw_idset_free(b);
}

static void test_add_find_duplicates(void **state)
{
    mtw_idset *set = mtw_idset_create();
    mtw_id *a, *b;
    int added;

    (void) state;
    assert_non_null(set);
    a = mtw_idset_add(set, "trip-1", 6, 2, &added);
    assert_non_null(a);
    assert_int_equal(added, 1);
    assert_string_equal(a->id, "trip-1");
    assert_int_equal(a->line, 2);
    a->count = 7;
    b = mtw_idset_add(set, "trip-1", 6, 9, &added);
    assert_int_equal(added, 0);
    assert_ptr_equal(a, b);
    assert_int_equal(b->line, 2);           /* the first definition wins */
    assert_int_equal(b->count, 7);
    assert_null(mtw_idset_find(set, "trip-2", 6));
    assert_null(mtw_idset_find(set, "trip-", 5));   /* prefix is not a match */
    assert_non_null(mtw_idset_find(set, "trip-1", 6));
    assert_int_equal(mtw_idset_size(set), 1);
    mtw_idset_free(set);
}

static void test_empty_and_binary_ids(void **state)
{
    mtw_idset *set = mtw_idset_create();
    int added;

    (void) state;
    assert_non_null(mtw_idset_add(set, "", 0, 1, &added));
    assert_int_equal(added, 1);
    assert_non_null(mtw_idset_add(set, "a\0b", 3, 2, &added));
    assert_int_equal(added, 1);
    assert_non_null(mtw_idset_find(set, "", 0));
    assert_non_null(mtw_idset_find(set, "a\0b", 3));
    assert_null(mtw_idset_find(set, "a", 1));
    mtw_idset_free(set);
}

static int count_in_order(mtw_id *e, void *arg)
{
    long *expect = arg;
    char want[32];

    snprintf(want, sizeof(want), "id%ld", *expect);
    if (strcmp(e->id, want) != 0) {
        return -1;
    }
    (*expect)++;
    return 0;
}

static void test_many_ids_grow_and_iterate_in_order(void **state)
{
    mtw_idset *set = mtw_idset_create();
    long i, n = 200000, next = 0;
    char id[32];
    int added;

    (void) state;
    for (i = 0; i < n; i++) {
        int len = snprintf(id, sizeof(id), "id%ld", i);

        assert_non_null(mtw_idset_add(set, id, (size_t) len, (int32_t) i + 2,
                                      &added));
        assert_int_equal(added, 1);
    }
    assert_int_equal(mtw_idset_size(set), n);
    for (i = 0; i < n; i += 997) {
        int len = snprintf(id, sizeof(id), "id%ld", i);
        mtw_id *e = mtw_idset_find(set, id, (size_t) len);

        assert_non_null(e);
        assert_int_equal(e->line, i + 2);
    }
    assert_null(mtw_idset_find(set, "id200000", 8));
    assert_int_equal(mtw_idset_each(set, count_in_order, &next), 0);
    assert_int_equal(next, n);
    mtw_idset_free(set);
}

static void test_slugs(void **state)
{
    (void) state;
    assert_true(mtw_gtfs_valid_slug("saskatoon"));
    assert_true(mtw_gtfs_valid_slug("new-york-2"));
    assert_true(mtw_gtfs_valid_slug("x"));
    assert_false(mtw_gtfs_valid_slug(""));
    assert_false(mtw_gtfs_valid_slug("-lead"));
    assert_false(mtw_gtfs_valid_slug("Saskatoon"));
    assert_false(mtw_gtfs_valid_slug("a b"));
    assert_false(mtw_gtfs_valid_slug("a_b"));
    assert_false(mtw_gtfs_valid_slug("a;drop"));
    assert_true(mtw_gtfs_valid_slug(
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"));    /* 50 */
    assert_false(mtw_gtfs_valid_slug(
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijk"));   /* 51 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyed_hash),
        cmocka_unit_test(test_add_find_duplicates),
        cmocka_unit_test(test_empty_and_binary_ids),
        cmocka_unit_test(test_many_ids_grow_and_iterate_in_order),
        cmocka_unit_test(test_slugs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
