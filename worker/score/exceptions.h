/*
 * exceptions.h - the service a feed says will not run, as history rows:
 * trip runs its TripUpdates mark CANCELED and the stops they mark SKIPPED
 * (GTFS-Realtime TripDescriptor and StopTimeUpdate schedule_relationship).
 * Pure: no clock, no I/O.
 *
 * Each (trip run, stop) is reported once, at the first tick whose trip
 * updates carry it (a feed repeats it every poll until the run is over):
 * the detector remembers what it reported for the service days the
 * schedule covers.  A trip update whose trip is not in the day's schedule
 * gives nothing (feed health reports those ids, score/diagnose.h), nor
 * does a skipped stop that is not in its trip's stop times.  The rows are
 * mtw_arrival rows with source MTW_ARR_CANCELED (seq -1, stop "") or
 * MTW_ARR_SKIPPED, stamped with the tick's time; they share the arrivals'
 * queue and writer (jobs/history.h), which files them in
 * service_exception.  The daily aggregate counts them per route
 * (docs/scoring.md "Service delivered").
 */
#ifndef MTW_SCORE_EXCEPTIONS_H
#define MTW_SCORE_EXCEPTIONS_H

#include "score/arrivals.h"
#include "score/tick.h"

typedef struct mtw_exceptions mtw_exceptions;

mtw_exceptions *mtw_exceptions_create(void);
void mtw_exceptions_free(mtw_exceptions *x);

/*
 * One step: the cancellations and skipped stops of tick t not reported
 * before, into *out (owned by x, valid until the next step; strings point
 * into t's schedule and live state).  Returns their count, or -1 when out
 * of memory (what was remembered is kept).
 */
long mtw_exceptions_step(mtw_exceptions *x, const mtw_tick *t,
                         const mtw_arrival **out);

#endif
