/*
 * sort.h - qsort that accepts empty (possibly NULL) arrays, which qsort
 * does not; and a sort whose comparison gets a context (the table the
 * elements index into), so that no comparison reads a file-level pointer
 * set before the sort.
 */
#ifndef MTW_UTIL_SORT_H
#define MTW_UTIL_SORT_H

#include <stddef.h>
#include <stdlib.h>

static inline void mtw_sort(void *base, size_t n, size_t size,
                            int (*cmp)(const void *, const void *))
{
    if (n > 1) {
        qsort(base, n, size, cmp);
    }
}

/* The same with ctx passed to every cmp (glibc's qsort_r). */
void mtw_sort_r(void *base, size_t n, size_t size,
                int (*cmp)(const void *, const void *, void *), void *ctx);

#endif
