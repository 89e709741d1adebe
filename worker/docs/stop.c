/*
 * stop.c - the stop documents: predictions:{stop}, stops.
 */
#include "docs/internal.h"
#include "util/hash64.h"

#include <string.h>


/* the id of the prediction's bus when the module joins its state, else
 * NULL (its state is inline) */
static const char *joined_vid(const mtw_doc_ctx *c, const mtw_prediction *p)
{
    return c->vstates != NULL && p->vehicle >= 0
           ? c->vstates->vid[p->vehicle] : NULL;
}

/* whether the module also joins the prediction's arrival time (and
 * stops_away) from its bus's state: a joined prediction along a trip,
 * whose row the state's "eta" covers */
static int joined_times(const mtw_doc_ctx *c, const mtw_prediction *p)
{
    return p->row >= 0 && joined_vid(c, p) != NULL;
}

/* status, occupancy and current_location of the prediction's vehicle */
static void jw_inline_vehicle(mtw_jbuf *w, const mtw_tick *t,
                              const mtw_doc_ctx *c, const mtw_prediction *p,
                              const mtw_vehicle *v)
{
    mtw_doc_jw_status(w, t, c, p->vehicle);
    mtw_doc_jw_occupancy(w, v);
    mtw_jw_key(w, "current_location");
    if (v != NULL && v->has_pos) {
        mtw_jw_obj(w);
        mtw_jw_knum(w, "lat", v->lat, 6);
        mtw_jw_knum(w, "lon", v->lon, 6);
        jw_opt_int(w, "stops_away", p->stops_away >= 0, p->stops_away);
        mtw_jw_obj_end(w);
    } else {
        mtw_jw_null(w);
    }
}

static void jw_prediction(mtw_jbuf *w, const mtw_tick *t,
                          const mtw_doc_ctx *c, const mtw_prediction *p)
{
    const mtw_stop *st = &t->s->stops[p->stop];
    const mtw_vehicle *v = p->vehicle >= 0 ? &t->l->vehicles[p->vehicle]
                                           : NULL;
    const char *vid = v ? v->id : p->tu ? p->tu->vehicle_id : NULL;
    /* a tracked bus's prediction is joined by the module: it adds what
     * it can make from the stop and from the bus's state */
    int joined = joined_vid(c, p) != NULL, timed = joined_times(c, p);

    mtw_jw_obj(w);
    mtw_jw_kstr(w, "vehicle_id", vid);
    mtw_jw_kstr(w, "route_id", p->route_id);
    {
        long r = p->trip >= 0 ? (long) t->s->trips[p->trip].route
                 : p->route_id ? mtw_schedule_route(t->s, p->route_id) : -1;

        mtw_jw_kstr(w, "route_short_name",
                    r >= 0 ? t->s->routes[r].short_name : NULL);
    }
    mtw_jw_kstr(w, "trip_id", p->trip_id);
    if (!joined) {
        mtw_jw_kstr(w, "stop_id", st->id);
        mtw_jw_kstr(w, "stop_name", st->name);
    }
    mtw_jw_kstr(w, "headsign", p->trip >= 0 ? t->s->trips[p->trip].headsign
                                            : NULL);
    /* no arrival_in_sec: the module counts it from arrival_at at each
     * request, so the document changes only when a prediction does; a
     * joined one's arrival_at is its bus's, which drifts every tick */
    if (!timed) {
        mtw_jw_kint(w, "arrival_at", p->arrival_at);
    }
    mtw_jw_kstr(w, "confidence", mtw_confidence_str(p->confidence));
    mtw_jw_kstr(w, "source", mtw_pred_source_str(p->source));
    if (joined) {
        /* the bus's status, occupancy and position are its state in
         * mtw:{city}:vstate, joined by the module in their place; so are
         * the arrival time and stops_away of the stop's row */
        mtw_jw_key(w, "live");
        mtw_jw_obj(w);
        if (timed) {
            mtw_jw_kint(w, "row", p->row);
        } else {
            jw_opt_int(w, "stops_away", p->stops_away >= 0, p->stops_away);
        }
        mtw_jw_obj_end(w);
    } else {
        jw_inline_vehicle(w, t, c, p, v);
    }
    if (c->feedback != NULL) {
        mtw_doc_jw_feedback(w, "feedback_summary", c, vid);
    }
    if (!joined) {
        /* (joined: the module's arrival_at - scheduled_arrival_at) */
        jw_opt_int(w, "delay_sec", p->scheduled_at != 0,
                   p->arrival_at - p->scheduled_at);
    }
    jw_opt_int(w, "scheduled_arrival_at", p->scheduled_at != 0,
               p->scheduled_at);
    mtw_jw_obj_end(w);
}

void mtw_doc_predictions(mtw_jbuf *w, const mtw_tick *t,
                         const mtw_doc_ctx *c, uint32_t stop)
{
    uint32_t k;

    /* the list alone: the module wraps it with the stop it reads from
     * mtw:{city}:stop (a tenth of a list's bytes, written every time the
     * list changed) */
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "predictions");
    mtw_jw_arr(w);
    for (k = 0; k < t->stop_count[stop]; k++) {
        jw_prediction(w, t, c, &t->preds[t->stop_first[stop] + k]);
    }
    mtw_jw_arr_end(w);
    /* nothing of the tick's clock (the module adds its own "timestamp"):
     * an unchanged list is an unchanged document, not written again
     * (jobs/doc_memo.h) */
    mtw_jw_obj_end(w);
}

void mtw_doc_predictions_vids(mtw_jbuf *w, const mtw_tick *t,
                              const mtw_doc_ctx *c, uint32_t stop)
{
    uint32_t k;

    mtw_jbuf_reset(w);
    for (k = 0; k < t->stop_count[stop]; k++) {
        const char *vid = joined_vid(c, &t->preds[t->stop_first[stop] + k]);

        if (vid == NULL) {
            continue;
        }
        /* a plain list, not JSON: no commas between the ids */
        w->need_comma = 0;
        if (w->len > 0) {
            mtw_jw_raw(w, " ", 1);
            w->need_comma = 0;
        }
        mtw_jw_raw(w, vid, strlen(vid));
    }
}

/* a number as a word of the fingerprint */
static uint64_t fp_int(uint64_t h, int64_t v)
{
    return mtw_hash64_word(h, (uint64_t) v);
}

/* bytes eight at a time, then their count, so that "ab","c" and "a","bc"
 * differ: some 60,000 predictions a tick at scale */
static uint64_t fp_bytes(uint64_t h, const char *p, size_t len)
{
    uint64_t word;
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&word, p + i, 8);
        h = mtw_hash64_word(h, word);
    }
    word = 0;
    if (i < len) {
        memcpy(&word, p + i, len - i);
    }
    return mtw_hash64_word(mtw_hash64_word(h, word), len);
}

/* NULL is not "" (null is not "" in the document) */
static uint64_t fp_str(uint64_t h, const char *str)
{
    return str != NULL ? fp_bytes(h, str, strlen(str)) : fp_int(h, -1);
}

/*
 * What jw_prediction() reads, and mtw_doc_predictions() around it: the
 * stop is its index (its id, name and position are the schedule's, and a
 * new schedule clears the writer's memo); a tracked bus whose state is
 * joined adds only its id and stops_away, or the stop's row when its times
 * are joined too; one rendered inline adds the bytes of that rendering.
 * Any field added to the document must be added here (test_score_tick's
 * test_predictions_inputs changes each one).
 */
uint64_t mtw_doc_predictions_inputs(const mtw_tick *t, const mtw_doc_ctx *c,
                                    uint32_t stop)
{
    uint64_t h = 0x243f6a8885a308d3ULL;
    mtw_jbuf w;
    uint32_t k;

    mtw_jbuf_init(&w);
    h = fp_int(h, stop);
    for (k = 0; k < t->stop_count[stop]; k++) {
        const mtw_prediction *p = &t->preds[t->stop_first[stop] + k];
        const mtw_vehicle *v = p->vehicle >= 0
                               ? &t->l->vehicles[p->vehicle] : NULL;
        const char *vid = v ? v->id : p->tu ? p->tu->vehicle_id : NULL;
        const mtw_feedback *f = mtw_doc_feedback_of(c, vid);
        int joined = joined_vid(c, p) != NULL, timed = joined_times(c, p);

        h = fp_str(h, vid);
        h = fp_str(h, p->route_id);
        h = fp_int(h, p->trip);         /* headsign, short name */
        h = fp_str(h, p->trip_id);
        h = fp_int(h, p->scheduled_at);
        h = fp_int(h, p->confidence);
        h = fp_int(h, p->source);
        h = fp_int(h, joined);
        h = fp_int(h, timed);
        if (timed) {
            h = fp_int(h, p->row);
        } else {
            h = fp_int(h, p->arrival_at);
            h = fp_int(h, p->stops_away);
        }
        h = fp_int(h, c->feedback != NULL);     /* feedback_summary */
        if (!joined && v == NULL) {
            /* no bus: its inline state is the same three nulls (half the
             * predictions at the peak, not rendered to be hashed) */
            h = fp_int(h, -2);
        } else if (!joined) {
            mtw_jbuf_reset(&w);
            mtw_jw_obj(&w);
            jw_inline_vehicle(&w, t, c, p, v);
            h = fp_bytes(h, w.buf, w.len);
        }
        if (f != NULL) {
            h = fp_int(h, f->ahead);
            h = fp_int(h, f->on_time);
            h = fp_int(h, f->late);
            h = fp_int(h, f->total);
        }
    }
    mtw_jbuf_free(&w);
    /* 0 is the memo's "none" */
    return h != 0 ? h : 1;
}

void mtw_doc_stops(mtw_jbuf *w, const mtw_schedule *s, int64_t ts)
{
    size_t i;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "stops");
    mtw_jw_arr(w);
    for (i = 0; i < s->nstops; i++) {
        mtw_jw_obj(w);
        mtw_jw_kstr(w, "id", s->stops[i].id);
        mtw_jw_kstr(w, "name", s->stops[i].name);
        mtw_jw_knum(w, "lat", s->stops[i].lat, 6);
        mtw_jw_knum(w, "lon", s->stops[i].lon, 6);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
}
