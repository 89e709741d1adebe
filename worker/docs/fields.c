/*
 * fields.c - JSON fields shared by the document families (see internal.h).
 */
#include "docs/internal.h"
#include "feed/snapshot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int64_t mtw_live_age(const mtw_tick *t, const mtw_doc_ctx *c)
{
    int64_t ts = mtw_live_ts(t->l);

    return ts > 0 ? (c->now > ts ? c->now - ts : 0) : -1;
}

int mtw_live_stale(const mtw_tick *t, const mtw_doc_ctx *c)
{
    int64_t age = mtw_live_age(t, c);

    return age < 0 || age > 3 * (int64_t) (c->poll_sec > 0 ? c->poll_sec
                                                           : 12);
}

static int cmp_feedback_key(const void *key, const void *elem)
{
    return strcmp(key, ((const mtw_feedback *) elem)->vehicle_id);
}

const mtw_feedback *mtw_doc_feedback_of(const mtw_doc_ctx *c,
                                       const char *vehicle_id)
{
    if (vehicle_id == NULL || c->feedback == NULL || c->nfeedback == 0) {
        return NULL;
    }
    return bsearch(vehicle_id, c->feedback, c->nfeedback,
                   sizeof(*c->feedback), cmp_feedback_key);
}

void mtw_doc_jw_feedback(mtw_jbuf *w, const char *key, const mtw_doc_ctx *c,
                         const char *vehicle_id)
{
    const mtw_feedback *f = mtw_doc_feedback_of(c, vehicle_id);

    mtw_jw_key(w, key);
    mtw_jw_obj(w);
    mtw_jw_kint(w, "ahead", f ? f->ahead : 0);
    mtw_jw_kint(w, "on_time", f ? f->on_time : 0);
    mtw_jw_kint(w, "late", f ? f->late : 0);
    mtw_jw_kint(w, "total", f ? f->total : 0);
    mtw_jw_obj_end(w);
}

void mtw_doc_jw_occupancy(mtw_jbuf *w, const mtw_vehicle *v)
{
    const char *name = v != NULL && v->occupancy >= 0
                       ? mtw_rt_enum_name("occupancy", v->occupancy) : NULL;

    mtw_jw_kstr(w, "occupancy", name);
}

/* VehicleStatus (reference-api.md §3.2), or null */
void mtw_doc_jw_status(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                       long vi)
{
    mtw_jw_key(w, "status");
    if (c->frags != NULL && vi >= 0) {
        /* a vehicle appears in up to ~40 predictions: render it once */
        mtw_jw_raw(w, c->frags->buf.buf + c->frags->off[vi],
                   c->frags->len[vi]);
        return;
    }
    mtw_doc_jw_status_value(w, t, c, vi);
}

void mtw_doc_jw_status_value(mtw_jbuf *w, const mtw_tick *t,
                             const mtw_doc_ctx *c, long vi)
{
    const mtw_vstate *vs;

    if (vi < 0 || !t->vs[vi].has_delay) {
        mtw_jw_null(w);
        return;
    }
    vs = &t->vs[vi];
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "color", vs->status.color_str);
    mtw_jw_kstr(w, "label", vs->status.label);
    mtw_jw_kstr(w, "severity", vs->status.severity);
    mtw_jw_kint(w, "deviation_sec", vs->delay);
    mtw_jw_kstr(w, "reason", vs->has_reason ? vs->reason : NULL);
    mtw_jw_kstr(w, "source", mtw_delay_source_str(vs->delay_source));
    if (c->feedback != NULL) {
        mtw_doc_jw_feedback(w, "feedback", c, t->l->vehicles[vi].id);
    }
    mtw_jw_obj_end(w);
}


void mtw_doc_jw_score_item(mtw_jbuf *w, const mtw_tick *t,
                           const mtw_group_score *g)
{
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", g->route_id);
    jw_dir(w, "direction", g->direction);
    jw_opt_int(w, "observed_headway_sec", g->observed >= 0, g->observed);
    jw_opt_int(w, "scheduled_headway_sec", g->scheduled > 0, g->scheduled);
    mtw_jw_kint(w, "vehicles", g->vehicles);
    mtw_jw_kstr(w, "grade", mtw_grade_str(g->grade));
    mtw_jw_kstr(w, "confidence", mtw_confidence_str(g->confidence));
    mtw_jw_kint(w, "as_of", t->now);
    /* industry metrics */
    mtw_jw_kstr(w, "headway_source", mtw_hw_source_str(g->source));
    mtw_jw_kstr(w, "reference_stop_id",
                g->ref_stop >= 0 ? t->s->stops[g->ref_stop].id : NULL);
    mtw_jw_kint(w, "headways_observed", g->nh);
    if (g->has_cv) {
        mtw_jw_knum(w, "headway_cv", g->cv, 2);
        mtw_jw_kstr(w, "headway_los", mtw_los_str(g->los));
    } else {
        mtw_jw_knull(w, "headway_cv");
        mtw_jw_knull(w, "headway_los");
    }
    if (g->has_ewt) {
        mtw_jw_kint(w, "excess_wait_sec", lround(g->ewt));
    } else {
        mtw_jw_knull(w, "excess_wait_sec");
    }
    jw_opt_num(w, "bunched_share", g->bunched, 2);
    jw_opt_num(w, "gapped_share", g->gapped, 2);
    jw_opt_num(w, "on_time_pct", g->otp >= 0 ? g->otp * 100 : -1, 1);
    mtw_jw_kint(w, "on_time_sample", g->otp_n);
    mtw_jw_kstr(w, "regime", mtw_regime_str(g->regime));
    mtw_jw_obj_end(w);
}
