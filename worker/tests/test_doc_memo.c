/*
 * test_doc_memo.c - which documents a tick need not write again: only
 * those a committed transaction wrote, with the same ETag.
 */
#include "jobs/doc_memo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

static int by_index;    /* tick() names its documents by index */

/* one tick writing docs "d0".."d{n-1}", doc k with etag tag + k (or, by
 * index, doc k made of inputs tag + k + 1) */
static void tick(mtw_doc_memo *m, int n, int tag, unsigned long publishes,
                 unsigned long conn, int *skipped)
{
    char name[16], etag[16];
    uint64_t kn, ke;
    int k;

    mtw_doc_memo_settle(m, publishes, conn);
    *skipped = 0;
    for (k = 0; by_index && k < n; k++) {
        if (mtw_doc_memo_ix_holds(m, (size_t) k, (uint64_t) (tag + k + 1))) {
            (*skipped)++;
        } else {
            assert_int_equal(mtw_doc_memo_ix_note(m, (size_t) k,
                                                  (uint64_t) (tag + k + 1)),
                             0);
        }
    }
    for (k = 0; !by_index && k < n; k++) {
        snprintf(name, sizeof(name), "d%d", k);
        snprintf(etag, sizeof(etag), "\"%d\"", tag + k);
        kn = mtw_doc_memo_key(name);
        ke = mtw_doc_memo_key(etag);
        if (mtw_doc_memo_holds(m, kn, ke)) {
            (*skipped)++;
        } else {
            assert_int_equal(mtw_doc_memo_note(m, kn, ke), 0);
        }
    }
}

static void test_skips_only_committed_and_unchanged(void **state)
{
    mtw_doc_memo m;
    int skipped;

    (void) state;
    mtw_doc_memo_init(&m);
    /* 3000 documents (the table grows past its first size) */
    tick(&m, 3000, 0, 0, 1, &skipped);
    assert_int_equal(skipped, 0);
    /* committed (publishes 0 -> 1): the same documents are not written */
    tick(&m, 3000, 0, 1, 1, &skipped);
    assert_int_equal(skipped, 3000);
    /* changed ETags are */
    tick(&m, 3000, 5, 2, 1, &skipped);
    assert_int_equal(skipped, 0);
    /* that tick did not commit (publishes stayed 2): everything again */
    tick(&m, 3000, 5, 2, 1, &skipped);
    assert_int_equal(skipped, 0);
    tick(&m, 3000, 5, 3, 1, &skipped);
    assert_int_equal(skipped, 3000);
    /* a new connection (a Redis that may have lost it all): everything */
    tick(&m, 3000, 5, 4, 2, &skipped);
    assert_int_equal(skipped, 0);
    /* two publishes without this hook in between: not known, everything */
    tick(&m, 3000, 5, 7, 2, &skipped);
    assert_int_equal(skipped, 0);
    tick(&m, 3000, 5, 8, 2, &skipped);
    assert_int_equal(skipped, 3000);
    mtw_doc_memo_clear(&m);
    tick(&m, 3000, 5, 9, 2, &skipped);
    assert_int_equal(skipped, 0);
    mtw_doc_memo_free(&m);
}

/* the same rules for documents known by an index (a stop's predictions) */
static void test_by_index(void **state)
{
    by_index = 1;
    test_skips_only_committed_and_unchanged(state);
    by_index = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skips_only_committed_and_unchanged),
        cmocka_unit_test(test_by_index),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
