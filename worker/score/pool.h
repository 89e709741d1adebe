/*
 * pool.h - bump allocator for the scoring models.
 *
 * A schedule or a live snapshot is built once and freed as a whole, so its
 * strings and arrays of fixed size live in one arena: one free, no
 * per-object bookkeeping, good locality for the tick.
 */
#ifndef MTW_SCORE_POOL_H
#define MTW_SCORE_POOL_H

#include <stddef.h>
#include <stdlib.h>

typedef struct mtw_pool mtw_pool;

mtw_pool *mtw_pool_create(size_t block_size);
void mtw_pool_free(mtw_pool *a);

/* Zeroed, 8-byte aligned memory; NULL when out of memory. */
void *mtw_pool_alloc(mtw_pool *a, size_t size);

/* Copies of s (NULL stays NULL); strndup copies at most n bytes. */
char *mtw_pool_strdup(mtw_pool *a, const char *s);
char *mtw_pool_strndup(mtw_pool *a, const char *s, size_t n);

/* Bytes handed out so far (for sizing reports). */
size_t mtw_pool_used(const mtw_pool *a);

/* qsort that accepts empty (possibly NULL) arrays, which qsort does not */
static inline void mtw_sort(void *base, size_t n, size_t size,
                            int (*cmp)(const void *, const void *))
{
    if (n > 1) {
        qsort(base, n, size, cmp);
    }
}

#endif
