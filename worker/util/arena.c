/*
 * arena.c - bump allocator: a chain of blocks, reset keeps the largest.
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK (64 * 1024)

struct mtw_arena_block {
    mtw_arena_block *next;
    size_t           size;      /* usable bytes in data */
    size_t           off;       /* next free byte */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void mtw_arena_init(mtw_arena *a, size_t block_size, size_t limit)
{
    memset(a, 0, sizeof(*a));
    a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    a->limit = limit;
}

void mtw_arena_free(mtw_arena *a)
{
    mtw_arena_block *b, *next;

    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    a->head = NULL;
    a->used = 0;
    a->reserved = 0;
}

mtw_arena *mtw_arena_create(size_t block_size)
{
    mtw_arena *a = malloc(sizeof(*a));

    if (a != NULL) {
        mtw_arena_init(a, block_size, 0);
    }
    return a;
}

void mtw_arena_destroy(mtw_arena *a)
{
    if (a != NULL) {
        mtw_arena_free(a);
        free(a);
    }
}

void mtw_arena_reset(mtw_arena *a)
{
    mtw_arena_block *b, *next, *keep = NULL;
    size_t used = a->used;
    int blocks = 0;

    for (b = a->head; b != NULL; b = b->next) {
        blocks++;
        if (keep == NULL || b->size > keep->size) {
            keep = b;
        }
    }
    /* The last round needed several blocks: replace them with one block
     * big enough for all of it, so a steady feed decodes into one warm
     * block with no malloc and no page faults. */
    if (blocks > 1 && keep != NULL && keep->size < used) {
        keep = NULL;
    }
    /* A round refused on the limit (a hostile feed) is no size to keep
     * memory for: give it all back and start again from the usual size. */
    if (a->over_limit) {
        keep = NULL;
    }
    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        if (b != keep) {
            free(b);
        }
    }
    a->head = keep;
    a->used = 0;
    a->reserved = 0;
    if (keep != NULL) {
        keep->next = NULL;
        keep->off = 0;
        a->reserved = keep->size;
    } else if (blocks > 1 && !a->over_limit) {
        /* one eighth of slack for a feed that grows a little */
        a->block_size = used + used / 8;
    }
    a->over_limit = 0;
}

void *mtw_arena_alloc(mtw_arena *a, size_t n)
{
    mtw_arena_block *b = a->head;
    size_t need, size;
    void *p;

    if (n == 0) {
        n = 1;
    }
    need = (n + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
    if (need < n) {
        return NULL;
    }
    if (a->limit != 0 && a->used + need > a->limit) {
        a->over_limit = 1;
        return NULL;
    }
    if (b == NULL || b->size - b->off < need) {
        if (b != NULL && need > a->block_size) {
            /* a big one-off array gets a block of its own behind the
             * current one, whose free space is not wasted */
            b = malloc(sizeof(*b) + need);
            if (b == NULL) {
                return NULL;
            }
            b->size = need;
            b->off = need;
            b->next = a->head->next;
            a->head->next = b;
            a->reserved += need;
            a->used += need;
            return b->data;
        }
        size = a->block_size;
        /* later blocks double so a big feed needs few of them */
        if (b != NULL && b->size * 2 > size) {
            size = b->size * 2;
        }
        if (size < need) {
            size = need;
        }
        b = malloc(sizeof(*b) + size);
        if (b == NULL) {
            return NULL;
        }
        b->size = size;
        b->off = 0;
        b->next = a->head;
        a->head = b;
        a->reserved += size;
    }
    p = b->data + b->off;
    b->off += need;
    a->used += need;
    return p;
}

void *mtw_arena_calloc(mtw_arena *a, size_t n)
{
    void *p = mtw_arena_alloc(a, n);

    if (p != NULL) {
        memset(p, 0, n);
    }
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
    size_t n;
    char *p;

    if (s == NULL) {
        return NULL;
    }
    n = strlen(s) + 1;
    p = mtw_arena_alloc(a, n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

static void *arena_pb_alloc(void *data, size_t size)
{
    return mtw_arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *ptr)
{
    (void) data;
    (void) ptr;     /* released with the whole arena */
}

ProtobufCAllocator mtw_arena_protobuf(mtw_arena *a)
{
    ProtobufCAllocator pa;

    pa.alloc = arena_pb_alloc;
    pa.free = arena_pb_free;
    pa.allocator_data = a;
    return pa;
}
