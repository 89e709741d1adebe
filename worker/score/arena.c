/*
 * arena.c - bump allocator for the scoring models (see arena.h).
 */
#include "score/arena.h"

#include <stdlib.h>
#include <string.h>

typedef struct mtw_arena_block {
    struct mtw_arena_block *next;
    size_t used, size;
    unsigned char data[];
} mtw_arena_block;

struct mtw_arena {
    mtw_arena_block *head;
    size_t block_size;
    size_t total;
};

mtw_arena *mtw_arena_create(size_t block_size)
{
    mtw_arena *a = calloc(1, sizeof(*a));

    if (a == NULL) {
        return NULL;
    }
    a->block_size = block_size ? block_size : 64 * 1024;
    return a;
}

void mtw_arena_free(mtw_arena *a)
{
    mtw_arena_block *b, *next;

    if (a == NULL) {
        return;
    }
    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *mtw_arena_alloc(mtw_arena *a, size_t size)
{
    mtw_arena_block *b = a->head;
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

char *mtw_arena_strndup(mtw_arena *a, const char *s, size_t n)
{
    size_t len;
    char *p;

    if (s == NULL) {
        return NULL;
    }
    len = strnlen(s, n);
    p = mtw_arena_alloc(a, len + 1);
    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *mtw_arena_strdup(mtw_arena *a, const char *s)
{
    return s ? mtw_arena_strndup(a, s, strlen(s)) : NULL;
}

size_t mtw_arena_used(const mtw_arena *a)
{
    return a->total;
}
