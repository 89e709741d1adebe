/*
 * idmap.h - string id -> index map (open addressing, FNV-1a).
 *
 * Built once per schedule or snapshot so every lookup of a GTFS id (trip,
 * stop, route) during a tick is O(1) instead of the reference's linear
 * scans.  Keys are not copied: they must outlive the map (arena strings).
 */
#ifndef MTW_SCORE_IDMAP_H
#define MTW_SCORE_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char **keys;
    uint32_t *vals;
    size_t cap, len;
} mtw_idmap;

#define MTW_IDMAP_NONE UINT32_MAX

int mtw_idmap_init(mtw_idmap *m, size_t expected);
void mtw_idmap_clear(mtw_idmap *m);

/* Inserts key -> val unless key is present (the first value wins).
 * Returns 0, or -1 when out of memory. */
int mtw_idmap_put(mtw_idmap *m, const char *key, uint32_t val);

/* Value for key, or MTW_IDMAP_NONE. */
uint32_t mtw_idmap_get(const mtw_idmap *m, const char *key);

/* FNV-1a 64 of a byte string. */
uint64_t mtw_fnv1a64(const void *data, size_t len);

#endif
