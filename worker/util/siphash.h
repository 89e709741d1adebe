/*
 * siphash.h - SipHash-2-4 (Jean-Philippe Aumasson and Daniel J. Bernstein,
 * "SipHash: a fast short-input PRF", 2012): a keyed hash for tables whose
 * keys come from outside (GTFS ids), so that colliding keys cannot be
 * crafted without the key.  Written from the paper; little-endian hosts.
 */
#ifndef MTW_UTIL_SIPHASH_H
#define MTW_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of the len bytes at s under the 128-bit key k[0], k[1]
 * (k[0] holds key bytes 0-7 little-endian). */
uint64_t mtw_siphash24(const uint64_t k[2], const void *s, size_t len);

#endif
