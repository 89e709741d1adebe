/*
 * idset.c - open-addressing hash set of ids (see idset.h).
 *
 * Entries live in an array in insertion order (so iteration follows the
 * file), the table holds indexes into it, strings live in 64 KiB arena
 * blocks.  Linear probing, load factor at most 1/2.  Ids come from the
 * agency's feed: the hash is SipHash-2-4 under a key drawn at random for
 * each set, so ids crafted to collide (an FNV-1a multicollision costs
 * nothing to build) cannot turn the import quadratic.
 */
#include "gtfs/idset.h"
#include "util/siphash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ARENA_BLOCK (64 * 1024)

typedef struct arena_block {
    struct arena_block *next;
    size_t              used;
    size_t              cap;
    char                data[];
} arena_block;

struct mtw_idset {
    mtw_id       *entries;
    uint32_t     *hashes;
    size_t        n;
    size_t        cap;        /* entries capacity */
    uint32_t     *table;      /* entry index + 1, 0 = empty */
    size_t        tsize;      /* power of two */
    arena_block  *arena;
    uint64_t      key[2];     /* SipHash key, random per set */
};

static uint32_t hash_id(const mtw_idset *set, const char *s, size_t len)
{
    return (uint32_t) mtw_siphash24(set->key, s, len);
}

uint32_t mtw_idset_hash(const mtw_idset *set, const char *id, size_t len)
{
    return hash_id(set, id, len);
}

static void draw_key(uint64_t key[2])
{
    struct timespec ts;

    if (getrandom(key, 2 * sizeof(*key), GRND_NONBLOCK)
        == (ssize_t) (2 * sizeof(*key)))
    {
        return;
    }
    /* no entropy yet (early boot): still different per process and set */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    key[0] ^= (uint64_t) ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t) getpid();
    key[1] ^= (uint64_t) ts.tv_sec * 0xc2b2ae3d27d4eb4fULL ^ (uintptr_t) key;
}

mtw_idset *mtw_idset_create(void)
{
    mtw_idset *set = calloc(1, sizeof(*set));

    if (set == NULL) {
        return NULL;
    }
    draw_key(set->key);
    set->tsize = 64;
    set->table = calloc(set->tsize, sizeof(*set->table));
    if (set->table == NULL) {
        free(set);
        return NULL;
    }
    return set;
}

void mtw_idset_free(mtw_idset *set)
{
    arena_block *b, *next;

    if (set == NULL) {
        return;
    }
    for (b = set->arena; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    free(set->entries);
    free(set->hashes);
    free(set->table);
    free(set);
}

static char *arena_copy(mtw_idset *set, const char *s, size_t len)
{
    arena_block *b = set->arena;
    char *p;

    if (b == NULL || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;

        b = malloc(sizeof(*b) + cap);
        if (b == NULL) {
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        b->next = set->arena;
        set->arena = b;
    }
    p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

static int rehash(mtw_idset *set, size_t tsize)
{
    uint32_t *t = calloc(tsize, sizeof(*t));
    size_t i;

    if (t == NULL) {
        return -1;
    }
    for (i = 0; i < set->n; i++) {
        size_t k = set->hashes[i] & (tsize - 1);

        while (t[k] != 0) {
            k = (k + 1) & (tsize - 1);
        }
        t[k] = (uint32_t) (i + 1);
    }
    free(set->table);
    set->table = t;
    set->tsize = tsize;
    return 0;
}

static size_t probe(const mtw_idset *set, const char *id, size_t len,
                    uint32_t h, int *found)
{
    size_t k = h & (set->tsize - 1);

    for (;;) {
        uint32_t slot = set->table[k];
        const mtw_id *e;

        if (slot == 0) {
            *found = 0;
            return k;
        }
        e = &set->entries[slot - 1];
        if (set->hashes[slot - 1] == h && e->len == len
            && memcmp(e->id, id, len) == 0)
        {
            *found = 1;
            return k;
        }
        k = (k + 1) & (set->tsize - 1);
    }
}

mtw_id *mtw_idset_add(mtw_idset *set, const char *id, size_t len,
                      int32_t line, int *added)
{
    uint32_t h = hash_id(set, id, len);
    int found;
    size_t k;
    mtw_id *e;

    k = probe(set, id, len, h, &found);
    if (found) {
        *added = 0;
        return &set->entries[set->table[k] - 1];
    }
    if ((set->n + 1) * 2 > set->tsize) {
        if (rehash(set, set->tsize * 2) != 0) {
            return NULL;
        }
        k = probe(set, id, len, h, &found);
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        mtw_id *ne = realloc(set->entries, cap * sizeof(*ne));
        uint32_t *nh;

        if (ne == NULL) {
            return NULL;
        }
        set->entries = ne;
        nh = realloc(set->hashes, cap * sizeof(*nh));
        if (nh == NULL) {
            return NULL;
        }
        set->hashes = nh;
        set->cap = cap;
    }
    e = &set->entries[set->n];
    e->id = arena_copy(set, id, len);
    if (e->id == NULL) {
        return NULL;
    }
    e->len = (uint32_t) len;
    e->line = line;
    e->count = 0;
    e->flags = 0;
    set->hashes[set->n] = h;
    set->n++;
    set->table[k] = (uint32_t) set->n;
    *added = 1;
    return e;
}

mtw_id *mtw_idset_find(const mtw_idset *set, const char *id, size_t len)
{
    uint32_t h = hash_id(set, id, len);
    int found;
    size_t k = probe(set, id, len, h, &found);

    return found ? &set->entries[set->table[k] - 1] : NULL;
}

size_t mtw_idset_size(const mtw_idset *set)
{
    return set->n;
}

int mtw_idset_each(const mtw_idset *set, int (*fn)(mtw_id *e, void *arg),
                   void *arg)
{
    size_t i;
    int rc;

    for (i = 0; i < set->n; i++) {
        rc = fn(&set->entries[i], arg);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
