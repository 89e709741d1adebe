/*
 * decode.h - GTFS-Realtime bytes -> protobuf-c FeedMessage in an arena.
 */
#ifndef MTW_DECODE_H
#define MTW_DECODE_H

#include "util/arena.h"
#include "gtfs-realtime.pb-c.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Unpacks a FeedMessage with every allocation in a; the message lives until
 * the arena is reset.  NULL with a one-line reason in err when the bytes are
 * empty, not protobuf, or miss a required field.
 */
TransitRealtime__FeedMessage *mtw_feed_unpack(mtw_arena *a,
                                              const uint8_t *data, size_t len,
                                              char *err, size_t errlen);

/*
 * The number of entities (FeedMessage field 2) in data, read from the wire
 * without unpacking anything: a feed can be refused by its entity count
 * before protobuf-c allocates a struct for each of them.  -1 when the
 * top level is not well-formed protobuf (the unpack then says why).
 */
long mtw_feed_count_entities(const uint8_t *data, size_t len);

#endif
