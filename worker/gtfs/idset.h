/*
 * idset.h - a set of GTFS ids (strings) with a small record per id.
 *
 * The loader checks primary ids for duplicates and references for unknown
 * ids with these: one per id kind (routes, stops, trips, services, shapes).
 * Ids are copied into an arena; lookups are by content.  Memory is about
 * 40 bytes plus the id per entry, whatever the file sizes.
 */
#ifndef MTW_GTFS_IDSET_H
#define MTW_GTFS_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;       /* NUL-terminated copy */
    uint32_t    len;
    int32_t     line;     /* line that defined it (for messages) */
    int32_t     count;    /* free for the caller (e.g. stop_times per trip) */
    int32_t     flags;    /* free for the caller */
} mtw_id;

typedef struct mtw_idset mtw_idset;

mtw_idset *mtw_idset_create(void);
void mtw_idset_free(mtw_idset *set);

/*
 * Adds id (len bytes) defined on line.  Returns the entry and *added = 1,
 * or the existing entry with *added = 0; NULL when out of memory.
 * Entry pointers stay valid until the next add.
 */
mtw_id *mtw_idset_add(mtw_idset *set, const char *id, size_t len,
                      int32_t line, int *added);

/* The entry for id, or NULL. */
mtw_id *mtw_idset_find(const mtw_idset *set, const char *id, size_t len);

/* The set's hash of an id: keyed per set, so the same id hashes apart in
 * two sets (for tests of that). */
uint32_t mtw_idset_hash(const mtw_idset *set, const char *id, size_t len);

size_t mtw_idset_size(const mtw_idset *set);

/* Calls fn for each entry in insertion order; stops when it returns != 0. */
int mtw_idset_each(const mtw_idset *set, int (*fn)(mtw_id *e, void *arg),
                   void *arg);

#endif
