/*
 * sort.h - qsort that accepts empty (possibly NULL) arrays, which qsort
 * does not.
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

#endif
