/*
 * decode.c - protobuf-c unpack with the arena allocator.
 */
#include "feed/decode.h"

#include <stdio.h>

TransitRealtime__FeedMessage *mtw_feed_unpack(mtw_arena *a,
                                              const uint8_t *data, size_t len,
                                              char *err, size_t errlen)
{
    ProtobufCAllocator pa = mtw_arena_protobuf(a);
    TransitRealtime__FeedMessage *m;

    if (len == 0) {
        snprintf(err, errlen, "empty body");
        return NULL;
    }
    m = transit_realtime__feed_message__unpack(&pa, len, data);
    if (m == NULL) {
        snprintf(err, errlen, "not a GTFS-Realtime FeedMessage "
                 "(%zu bytes do not decode)", len);
        return NULL;
    }
    if (m->header == NULL || m->header->gtfs_realtime_version == NULL) {
        snprintf(err, errlen, "FeedMessage without a header");
        return NULL;
    }
    return m;
}
