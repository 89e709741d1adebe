/*
 * tu_arrivals.h - arrivals from TripUpdates alone, for trip runs no
 * vehicle position is matched to (a feed without VehiclePositions, or a
 * run whose bus reports no trip).  Pure: no clock, no I/O.
 *
 * A TripUpdate lists the run's stops still to come, each with a predicted
 * time.  Between two updates of a run (their timestamps p < c):
 *  - a stop listed before and no longer listed was passed: at its last
 *    predicted time, clamped into [p, c] (it was still to come at p and
 *    gone at c), so the error is at most a poll;
 *  - a stop still listed whose time is at or before c was reached then
 *    (a bus dwelling at it, or a feed that keeps passed stops);
 *  - a run whose update disappears (it finished, or the feed dropped it)
 *    passed the stops it still had predicted at or before the tick's
 *    time, at those times (not before its last update).
 * Each (trip run, stop) is reported once (the highest sequence reported is
 * remembered per run), in stop order; a run's first update only gives
 * predictions (a run the vehicle rules had may come back here: what they
 * reported is not known), and stops before the first one the detector saw
 * listed are never guessed.  A run with a vehicle matched to it in the
 * tick is left to the vehicle rules (score/arrivals.h), which stay the
 * first choice and start from what this detector reported for the run
 * (mtw_arrivals_after).  Rows have source MTW_ARR_TRIP_UPDATE and the
 * update's vehicle id ("" when it names none).
 */
#ifndef MTW_SCORE_TU_ARRIVALS_H
#define MTW_SCORE_TU_ARRIVALS_H

#include "score/arrivals.h"
#include "score/tick.h"

typedef struct mtw_tu_arrivals mtw_tu_arrivals;

mtw_tu_arrivals *mtw_tu_arrivals_create(void);
void mtw_tu_arrivals_free(mtw_tu_arrivals *d);

/*
 * One step: compares tick t's trip updates with the previous step's and
 * sets *out to the arrivals found (owned by d, valid until the next step;
 * strings point into t's schedule and live state).  Returns their count,
 * or -1 when out of memory (the memory is then kept as it was).
 */
long mtw_tu_arrivals_step(mtw_tu_arrivals *d, const mtw_tick *t,
                          const mtw_arrival **out);

/* The highest stop sequence reported for a run, INT32_MIN when none. */
int32_t mtw_tu_arrivals_logged(const mtw_tu_arrivals *d, const char *trip_id,
                               int service_date, int32_t start);

#endif
