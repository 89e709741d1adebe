/*
 * pool.c - bump allocator for the scoring models (see pool.h).
 */
#include "score/pool.h"

#include <stdlib.h>
#include <string.h>

typedef struct mtw_pool_block {
    struct mtw_pool_block *next;
    size_t used, size;
    unsigned char data[];
} mtw_pool_block;

struct mtw_pool {
    mtw_pool_block *head;
    size_t block_size;
    size_t total;
};

mtw_pool *mtw_pool_create(size_t block_size)
{
    mtw_pool *a = calloc(1, sizeof(*a));

    if (a == NULL) {
        return NULL;
    }
    a->block_size = block_size ? block_size : 64 * 1024;
    return a;
}

void mtw_pool_free(mtw_pool *a)
{
    mtw_pool_block *b, *next;

    if (a == NULL) {
        return;
    }
    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *mtw_pool_alloc(mtw_pool *a, size_t size)
{
    mtw_pool_block *b = a->head;
    size_t need = (size + 7) & ~(size_t) 7;
    size_t bsize;
    void *p;

    if (need == 0) {
        need = 8;
    }
    if (b == NULL || b->size - b->used < need) {
        bsize = need > a->block_size ? need : a->block_size;
        b = malloc(sizeof(*b) + bsize);
        if (b == NULL) {
            return NULL;
        }
        b->used = 0;
        b->size = bsize;
        /* a big one-off block goes behind the current one, so the
         * current block's free space is not wasted */
        if (need > a->block_size && a->head != NULL) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = b->data + b->used;
    b->used += need;
    a->total += need;
    memset(p, 0, need);
    return p;
}

char *mtw_pool_strndup(mtw_pool *a, const char *s, size_t n)
{
    size_t len;
    char *p;

    if (s == NULL) {
        return NULL;
    }
    len = strnlen(s, n);
    p = mtw_pool_alloc(a, len + 1);
    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *mtw_pool_strdup(mtw_pool *a, const char *s)
{
    return s ? mtw_pool_strndup(a, s, strlen(s)) : NULL;
}

size_t mtw_pool_used(const mtw_pool *a)
{
    return a->total;
}
