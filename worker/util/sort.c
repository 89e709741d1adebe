/*
 * sort.c - the sort with a context (see sort.h).
 */
#define _GNU_SOURCE             /* qsort_r, here only */
#include "util/sort.h"

void mtw_sort_r(void *base, size_t n, size_t size,
                int (*cmp)(const void *, const void *, void *), void *ctx)
{
    if (n > 1) {
        qsort_r(base, n, size, cmp, ctx);
    }
}
