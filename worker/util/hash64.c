/*
 * hash64.c - the documents' ETag hash (see hash64.h).
 *
 * Words 0, 4, 8 ... go to lane 0, words 1, 5, 9 ... to lane 1 and so on;
 * what is left after the last whole 32 bytes (up to three words, then up
 * to seven bytes zero-padded into a word) goes to lane 0 after them.  The
 * lanes and the length are then folded into one and mixed so that every
 * bit of the ETag depends on every lane.
 */
#include "util/hash64.h"

#include <string.h>

#define LANE_SEED_0  0x243f6a8885a308d3ULL   /* digits of pi */
#define LANE_SEED_1  0x13198a2e03707344ULL
#define LANE_SEED_2  0xa4093822299f31d0ULL
#define LANE_SEED_3  0x082efa98ec4e6c89ULL
#define MIX_1        0xff51afd7ed558ccdULL
#define MIX_2        0xc4ceb9fe1a85ec53ULL

static uint64_t load64(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return w;
}

uint64_t mtw_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h0 = LANE_SEED_0, h1 = LANE_SEED_1, h2 = LANE_SEED_2;
    uint64_t h3 = LANE_SEED_3, w, h;
    size_t i = 0;

    for (; i + 32 <= len; i += 32) {
        h0 = mtw_hash64_word(h0, load64(p + i));
        h1 = mtw_hash64_word(h1, load64(p + i + 8));
        h2 = mtw_hash64_word(h2, load64(p + i + 16));
        h3 = mtw_hash64_word(h3, load64(p + i + 24));
    }
    for (; i + 8 <= len; i += 8) {
        h0 = mtw_hash64_word(h0, load64(p + i));
    }
    if (i < len) {
        w = 0;
        memcpy(&w, p + i, len - i);
        h0 = mtw_hash64_word(h0, w);
    }
    h = mtw_hash64_word((uint64_t) len, h0);
    h = mtw_hash64_word(h, h1);
    h = mtw_hash64_word(h, h2);
    h = mtw_hash64_word(h, h3);
    h ^= h >> 33;
    h *= MIX_1;
    h ^= h >> 33;
    h *= MIX_2;
    h ^= h >> 33;
    return h;
}
