/*
 * diagnose.h - how well a city's realtime feeds match its static feed:
 * the distinct route, trip and stop ids the realtime feeds name that the
 * schedule does not know, counted, with a few examples.  The reference
 * needed a command to find out exactly this when its predictions went
 * quiet.  Pure: no I/O.
 */
#ifndef MTW_SCORE_DIAGNOSE_H
#define MTW_SCORE_DIAGNOSE_H

#include "score/live.h"
#include "score/schedule.h"

#include <stddef.h>
#include <stdint.h>

#define MTW_DIAG_EXAMPLES 5

typedef struct {
    size_t seen;                /* distinct ids the realtime feeds name */
    size_t unknown;             /* ... of them not in the schedule */
    const char *examples[MTW_DIAG_EXAMPLES];  /* the first unknown, sorted */
    size_t nexamples;
} mtw_id_check;

typedef struct {
    mtw_id_check routes, trips, stops;
    size_t vehicles;            /* positions in the vehicles feed */
    size_t vehicles_matched;    /* ... matched to a scheduled trip run */
    size_t trip_updates;
} mtw_feed_report;

/*
 * Checks the ids of l (vehicles, trip updates, their stop events) against
 * s on the service day of s; trips are looked up as the scoring does (an
 * instance of the day near now).  Examples point into l.  0, or -1 when
 * out of memory.
 */
int mtw_feed_diagnose(const mtw_schedule *s, const mtw_live *l, int64_t now,
                      mtw_feed_report *out);

#endif
