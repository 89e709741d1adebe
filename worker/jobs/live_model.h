/*
 * live_model.h - the scoring model's live state from the decoded
 * GTFS-Realtime snapshots (feed/snapshot.h).
 *
 * Copies what scoring needs out of the last good vehicles, trips and
 * alerts snapshots into an mtw_live (score/live.h), so the pure scoring
 * code never depends on the decoder's structures.
 */
#ifndef MTW_JOBS_LIVE_MODEL_H
#define MTW_JOBS_LIVE_MODEL_H

#include "feed/snapshot.h"
#include "score/live.h"

/* Any snapshot may be NULL (feed not configured or not yet fetched).
 * NULL when out of memory. */
mtw_live *mtw_live_from_snapshots(const mtw_snapshot *vehicles,
                                  const mtw_snapshot *trips,
                                  const mtw_snapshot *alerts);

#endif
