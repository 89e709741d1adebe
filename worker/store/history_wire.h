/*
 * history_wire.h - history rows waiting for PostgreSQL, as the JSON lines
 * kept in Redis (mtw:{city}:history:pending, one row a list element), so
 * that a worker killed during a database outage leaves them to the next
 * lease holder (jobs/history.h).  Pure: no I/O.
 */
#ifndef MTW_STORE_HISTORY_WIRE_H
#define MTW_STORE_HISTORY_WIRE_H

#include "score/arrivals.h"
#include "util/jbuf.h"

#include <stddef.h>

/* Writes one row as a JSON object into w (reset first). */
void mtw_histwire_arrival(mtw_jbuf *w, const mtw_arrival *a);
void mtw_histwire_bunching(mtw_jbuf *w, const mtw_bunching *b);

/*
 * Parses one element and adds the row to q (which copies it).  Returns 1
 * for an arrival, 2 for a bunching episode, 0 for an element that is not
 * a row (skipped: a bad element never stops the others), -1 when out of
 * memory.
 */
int mtw_histwire_parse(const char *text, size_t len, mtw_histq *q);

#endif
