/*
 * hash64.h - the documents' ETag hash (docs/redis-contract.md): 64 bits
 * of a byte string, eight bytes at a step in four lanes side by side.
 *
 * FNV-1a, the ETags' hash before, is a chain of one multiply per byte:
 * some 11 ms of every scoring tick at twenty times Saskatoon (8 MB of
 * documents).  This one takes a word per multiply and keeps four chains
 * busy at once.  Each step is a bijection of the lane's state and of the
 * word read, so two strings of the same length that differ in a single
 * word never collide; it is no defence against crafted input (an ETag
 * only tells a client its copy is current).  Little-endian hosts.
 */
#ifndef MTW_UTIL_HASH64_H
#define MTW_UTIL_HASH64_H

#include <stddef.h>
#include <stdint.h>

/* The hash of the len bytes at data. */
uint64_t mtw_hash64(const void *data, size_t len);

/* A word folded into a running hash h (a bijection of h and of w): for
 * fingerprints of several numbers without gathering them first. */
static inline uint64_t mtw_hash64_word(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return (h << 31) | (h >> 33);
}

#endif
