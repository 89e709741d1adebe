/*
 * fuzz_rt_decode.c - libFuzzer target: a GTFS-Realtime body, whatever its
 * bytes, decoded into a snapshot of each feed kind (worker/feed/snapshot.c),
 * as the worker does with what an agency URL answers.  The first byte picks
 * the kind; the snapshot is reused across inputs, as the worker reuses its
 * spare, with a small entity cap so the limit path is exercised too.
 */
#include "feed/snapshot.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static mtw_snapshot snap[MTW_FEED_KINDS];
    static int ready;
    char err[256];
    mtw_feed_kind kind;
    int k;

    if (!ready) {
        for (k = 0; k < MTW_FEED_KINDS; k++) {
            mtw_snapshot_init(&snap[k], (mtw_feed_kind) k);
            snap[k].max_entities = 4096;
        }
        ready = 1;
    }
    if (len == 0) {
        return 0;
    }
    kind = (mtw_feed_kind) (data[0] % MTW_FEED_KINDS);
    if (mtw_snapshot_decode(&snap[kind], data + 1, len - 1, 1751464800,
                            err, sizeof(err)) == 0)
    {
        (void) mtw_snapshot_count(&snap[kind]);
    }
    return 0;
}
