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
    if (m == NULL && a->over_limit) {
        snprintf(err, errlen, "decoding %zu bytes needs more than %zu bytes "
                 "of memory: refused", len, a->limit);
        return NULL;
    }
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

/* A base-128 varint at *p (< end); 0, or -1 when truncated or too long. */
static int wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    int shift;

    for (shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;

        v |= (uint64_t) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

long mtw_feed_count_entities(const uint8_t *data, size_t len)
{
    const uint8_t *p = data, *end = data + len;
    uint64_t key, n;
    long count = 0;

    while (p < end) {
        if (wire_varint(&p, end, &key) != 0) {
            return -1;
        }
        switch (key & 7) {
        case 0:                                 /* varint */
            if (wire_varint(&p, end, &n) != 0) {
                return -1;
            }
            break;
        case 1:                                 /* fixed64 */
            if ((size_t) (end - p) < 8) {
                return -1;
            }
            p += 8;
            break;
        case 2:                                 /* length-delimited */
            if (wire_varint(&p, end, &n) != 0 || n > (uint64_t) (end - p)) {
                return -1;
            }
            p += n;
            count += (key >> 3) == 2;           /* FeedMessage.entity */
            break;
        case 5:                                 /* fixed32 */
            if ((size_t) (end - p) < 4) {
                return -1;
            }
            p += 4;
            break;
        default:                                /* groups: not in GTFS-RT */
            return -1;
        }
    }
    return count;
}
