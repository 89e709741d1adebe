/*
 * internal.h - what the document families (the files of docs/) share:
 * the per-tick fragments, the JSON fields several documents write, and
 * adding a document whose ETag is already computed.  Not for use outside
 * docs/.
 */
#ifndef MTW_DOCS_INTERNAL_H
#define MTW_DOCS_INTERNAL_H

#include "docs/docs.h"

#include <math.h>
#include <stdint.h>

/* rendered once per tick by mtw_docs_build_tick (tick.c) */
struct mtw_doc_frags {
    mtw_jbuf buf;              /* every vehicle's status value */
    size_t *off, *len;
    uint32_t *rg_first, *rg_count;  /* per route: its score groups */
    uint32_t *rv_first, *rv_count;  /* per route: its vehicles, in rv */
    uint32_t *rv;
};

/* mtw_doc_set_add with the fingerprint of its inputs (0: none), the buses
 * it joins (NULL: not a predictions document; given to a sink only) and
 * the stop index of a predictions document (-1: none). */
int mtw_doc_set_add_tagged(mtw_doc_set *set, const char *name,
                           const mtw_jbuf *w, int64_t ts, uint64_t inputs,
                           const char *vids, long ix);

/* the crowd feedback counters of a vehicle, or NULL: none, or votes are
 * not read (c->feedback NULL) */
const mtw_feedback *mtw_doc_feedback_of(const mtw_doc_ctx *c,
                                       const char *vehicle_id);
/* the crowd feedback counters of a vehicle as an object under key */
void mtw_doc_jw_feedback(mtw_jbuf *w, const char *key, const mtw_doc_ctx *c,
                         const char *vehicle_id);
/* "status": the vehicle's VehicleStatus, from the fragments when built */
void mtw_doc_jw_status(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                       long vi);
/* "occupancy": the feed's OccupancyStatus by name ("MANY_SEATS_AVAILABLE",
 * ...), or null when the feed does not report crowding */
void mtw_doc_jw_occupancy(mtw_jbuf *w, const mtw_vehicle *v);
/* the VehicleStatus value of vehicle vi, or null */
void mtw_doc_jw_status_value(mtw_jbuf *w, const mtw_tick *t,
                             const mtw_doc_ctx *c, long vi);
/* one score group (an item of score, a direction of route:{id}) */
void mtw_doc_jw_score_item(mtw_jbuf *w, const mtw_tick *t,
                           const mtw_group_score *g);

/* small fields, inline as they were when all families were one file */
static inline void jw_freshness(mtw_jbuf *w, const mtw_tick *t,
                         const mtw_doc_ctx *c)
{
    int64_t age = mtw_live_age(t, c);

    mtw_jw_kbool(w, "stale", mtw_live_stale(t, c));
    if (age >= 0) {
        mtw_jw_kint(w, "age_sec", age);
    } else {
        mtw_jw_knull(w, "age_sec");
    }
}

static inline void jw_dir(mtw_jbuf *w, const char *key, int direction)
{
    if (direction >= 0) {
        mtw_jw_kint(w, key, direction);
    } else {
        mtw_jw_knull(w, key);
    }
}

static inline void jw_opt_int(mtw_jbuf *w, const char *key, int has, int64_t v)
{
    if (has) {
        mtw_jw_kint(w, key, v);
    } else {
        mtw_jw_knull(w, key);
    }
}

static inline void jw_opt_num(mtw_jbuf *w, const char *key, double v, int dec)
{
    if (v >= 0 && isfinite(v)) {
        mtw_jw_knum(w, key, v, dec);
    } else {
        mtw_jw_knull(w, key);
    }
}

#endif
