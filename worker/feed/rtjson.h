/*
 * rtjson.h - snapshots as the JSON the worker publishes (pure).
 *
 * Two shapes per feed:
 *  - reference: the trimmed arrays of the reference poller
 *    (reference-api.md §4.1), so its consumers keep working; its quirks are
 *    fixed: "arr"/"dep" are null when the event has no time, and "delay" is
 *    the arrival delay, else the departure delay;
 *  - rich: {"ts","stale","age_sec",<kind>:[...]} with everything scoring
 *    needs: every stop-time event (time, delay, uncertainty), stop status,
 *    occupancy, congestion, alert texts, periods and informed entities,
 *    enums by name.
 */
#ifndef MTW_RTJSON_H
#define MTW_RTJSON_H

#include "util/jbuf.h"
#include "feed/snapshot.h"

void mtw_rtjson_reference(mtw_jbuf *w, const mtw_snapshot *s);
void mtw_rtjson_rich(mtw_jbuf *w, const mtw_snapshot *s, int stale,
                     int64_t age_sec);
/* The array of rich items alone (cached per snapshot by the poller). */
void mtw_rtjson_rich_items(mtw_jbuf *w, const mtw_snapshot *s);
/* Opens the rich object up to its array key; the caller appends the array
 * (mtw_jw_raw) and closes it with mtw_jw_obj_end. */
void mtw_rtjson_rich_head(mtw_jbuf *w, mtw_feed_kind kind, int64_t ts,
                          int stale, int64_t age_sec);
/* One vehicle in the rich shape (also the value of mtw:{city}:vehicle). */
void mtw_rtjson_vehicle(mtw_jbuf *w, const mtw_rt_vehicle *v);

#endif
