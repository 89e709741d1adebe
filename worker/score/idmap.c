/*
 * idmap.c - string id -> index map (see idmap.h).
 */
#include "score/idmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t mtw_fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int mtw_idmap_init(mtw_idmap *m, size_t expected)
{
    size_t cap = 16;

    while (cap < expected * 2 + 1) {
        cap <<= 1;
    }
    m->keys = calloc(cap, sizeof(*m->keys));
    m->vals = calloc(cap, sizeof(*m->vals));
    m->cap = cap;
    m->len = 0;
    if (m->keys == NULL || m->vals == NULL) {
        mtw_idmap_clear(m);
        return -1;
    }
    return 0;
}

void mtw_idmap_clear(mtw_idmap *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->len = 0;
}

static int idmap_grow(mtw_idmap *m)
{
    mtw_idmap bigger;
    size_t i;

    if (mtw_idmap_init(&bigger, m->cap) != 0) {
        return -1;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->keys[i] != NULL) {
            mtw_idmap_put(&bigger, m->keys[i], m->vals[i]);
        }
    }
    mtw_idmap_clear(m);
    *m = bigger;
    return 0;
}

int mtw_idmap_put(mtw_idmap *m, const char *key, uint32_t val)
{
    size_t i;

    if (key == NULL) {
        return 0;
    }
    if (m->cap == 0 && mtw_idmap_init(m, 8) != 0) {
        return -1;
    }
    if ((m->len + 1) * 2 > m->cap && idmap_grow(m) != 0) {
        return -1;
    }
    i = mtw_fnv1a64(key, strlen(key)) & (m->cap - 1);
    while (m->keys[i] != NULL) {
        if (strcmp(m->keys[i], key) == 0) {
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->len++;
    return 0;
}

uint32_t mtw_idmap_get(const mtw_idmap *m, const char *key)
{
    size_t i;

    if (key == NULL || m->cap == 0) {
        return MTW_IDMAP_NONE;
    }
    i = mtw_fnv1a64(key, strlen(key)) & (m->cap - 1);
    while (m->keys[i] != NULL) {
        if (strcmp(m->keys[i], key) == 0) {
            return m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    return MTW_IDMAP_NONE;
}
