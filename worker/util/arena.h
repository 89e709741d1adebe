/*
 * arena.h - the worker's one bump allocator: decoded feeds and snapshots,
 * the scoring models (schedule, timetable, live state).
 *
 * What lives in an arena is thrown away as a whole: allocation is a
 * pointer bump, free is a no-op, and mtw_arena_reset() keeps the largest
 * block so a steady feed decodes with no malloc at all after the first poll.
 * A schedule or a live snapshot is built once and freed as a whole: one
 * free, no per-object bookkeeping, good locality for the tick.
 * mtw_arena_protobuf() adapts an arena to protobuf-c's allocator interface.
 */
#ifndef MTW_UTIL_ARENA_H
#define MTW_UTIL_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct mtw_arena_block mtw_arena_block;

typedef struct {
    mtw_arena_block *head;      /* block being filled; older blocks follow */
    size_t           block_size; /* minimum size of a new block */
    size_t           used;      /* bytes handed out since the last reset */
    size_t           reserved;  /* bytes held in blocks */
    size_t           limit;     /* 0: unlimited; else allocation fails past it */
    int              over_limit;/* an allocation failed on the limit since
                                 * the last reset */
} mtw_arena;

/* block_size 0 picks 64 KiB.  limit 0 means no limit. */
void   mtw_arena_init(mtw_arena *a, size_t block_size, size_t limit);
void   mtw_arena_free(mtw_arena *a);

/* A heap-allocated arena without a limit (NULL when out of memory), and
 * its destroy (NULL is fine). */
mtw_arena *mtw_arena_create(size_t block_size);
void   mtw_arena_destroy(mtw_arena *a);

/* Forgets every allocation, keeping the largest block for reuse. */
void   mtw_arena_reset(mtw_arena *a);

/* 16-byte aligned memory, or NULL when out of memory or over the limit. */
void  *mtw_arena_alloc(mtw_arena *a, size_t n);
/* The same, zeroed. */
void  *mtw_arena_calloc(mtw_arena *a, size_t n);
/* Copies of s (NULL stays NULL); strndup copies at most n bytes. */
char  *mtw_arena_strdup(mtw_arena *a, const char *s);
char  *mtw_arena_strndup(mtw_arena *a, const char *s, size_t n);

/* Bytes handed out since the last reset (for sizing reports). */
static inline size_t mtw_arena_used(const mtw_arena *a)
{
    return a->used;
}

/* A protobuf-c allocator whose allocations come from a (free is a no-op). */
ProtobufCAllocator mtw_arena_protobuf(mtw_arena *a);

#endif
