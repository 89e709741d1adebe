/*
 * synth.h - a synthetic live state from the schedule itself.
 *
 * Places one vehicle on every trip instance running at `now`, at the
 * position its timetable gives for now minus a deterministic per-trip delay
 * (a hash of the trip id and the seed: no clock, no global random state),
 * and, for a share of them, a TripUpdate with predicted times for the stops
 * ahead.  Used by `mtw-worker score --synthetic` and bench/score.sh to
 * measure a tick on any imported feed (a ×20 city included) without a
 * simulator process; the end-to-end tests use the real feeds.
 */
#ifndef MTW_SCORE_SYNTH_H
#define MTW_SCORE_SYNTH_H

#include "score/live.h"
#include "score/schedule.h"

#include <stdint.h>

/* tu_percent of the vehicles get a TripUpdate (0..100).  NULL on OOM. */
mtw_live *mtw_live_synthetic(const mtw_schedule *s, int64_t now,
                             uint32_t seed, int tu_percent);

#endif
