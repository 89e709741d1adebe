/*
 * arena.h - a reusable bump allocator for decoded feeds and snapshots.
 *
 * A feed is decoded into an arena and thrown away as a whole: allocation is
 * a pointer bump, free is a no-op, and mtw_arena_reset() keeps the largest
 * block so a steady feed decodes with no malloc at all after the first poll.
 * mtw_arena_protobuf() adapts an arena to protobuf-c's allocator interface.
 */
#ifndef MTW_ARENA_H
#define MTW_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct mtw_arena_block mtw_arena_block;

typedef struct {
    mtw_arena_block *head;      /* block being filled; older blocks follow */
    size_t           block_size; /* minimum size of a new block */
    size_t           used;      /* bytes handed out since the last reset */
    size_t           reserved;  /* bytes held in blocks */
    size_t           limit;     /* 0: unlimited; else allocation fails past it */
} mtw_arena;

/* block_size 0 picks 64 KiB.  limit 0 means no limit. */
void   mtw_arena_init(mtw_arena *a, size_t block_size, size_t limit);
void   mtw_arena_free(mtw_arena *a);

/* Forgets every allocation, keeping the largest block for reuse. */
void   mtw_arena_reset(mtw_arena *a);

/* 16-byte aligned memory, or NULL when out of memory or over the limit. */
void  *mtw_arena_alloc(mtw_arena *a, size_t n);
char  *mtw_arena_strdup(mtw_arena *a, const char *s);

/* A protobuf-c allocator whose allocations come from a (free is a no-op). */
ProtobufCAllocator mtw_arena_protobuf(mtw_arena *a);

#endif
