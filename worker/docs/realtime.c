/*
 * realtime.c - the realtime document: vehicles and alerts.  The trip
 * updates are not in it: the module joins them from the live state's
 * mtw:{city}:trips, written in the same transaction (they were most of the
 * bytes of a tick, written twice).
 */
#include "docs/internal.h"


static void jw_vehicle(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                       size_t i)
{
    const mtw_vehicle *v = &t->l->vehicles[i];
    const mtw_vstate *vs = &t->vs[i];

    mtw_jw_obj(w);
    mtw_jw_kstr(w, "id", v->id);
    mtw_jw_kstr(w, "label", v->label);
    mtw_jw_kstr(w, "trip", v->trip_id);
    mtw_jw_kstr(w, "route", vs->route_id);
    jw_dir(w, "direction", vs->direction);
    if (v->has_pos) {
        mtw_jw_knum(w, "lat", v->lat, 6);
        mtw_jw_knum(w, "lon", v->lon, 6);
    } else {
        mtw_jw_knull(w, "lat");
        mtw_jw_knull(w, "lon");
    }
    mtw_jw_knum(w, "bearing", v->bearing, 1);
    mtw_jw_knum(w, "speed", v->speed, 1);
    mtw_jw_kint(w, "ts", v->ts);
    mtw_jw_kstr(w, "stop_id", v->stop_id);
    jw_opt_int(w, "occupancy", v->occupancy >= 0, v->occupancy);
    if (vs->has_progress) {
        mtw_jw_key(w, "progress");
        mtw_jw_obj(w);
        mtw_jw_knum(w, "distance_m", vs->dist, 0);
        mtw_jw_knum(w, "off_route_m", vs->off_route_m, 0);
        mtw_jw_kstr(w, "next_stop_id",
                    t->s->stops[t->s->st[t->s->trips[vs->trip].st_first
                                         + vs->next_row].stop].id);
        mtw_jw_obj_end(w);
    } else {
        mtw_jw_knull(w, "progress");
    }
    mtw_doc_jw_status(w, t, c, (long) i);
    if (c->feedback != NULL) {
        mtw_doc_jw_feedback(w, "feedback", c, v->id);
    }
    mtw_jw_obj_end(w);
}

void mtw_doc_realtime(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    const mtw_live *l = t->l;
    size_t i;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kint(w, "ts", mtw_live_ts(l));
    jw_freshness(w, t, c);
    mtw_jw_key(w, "vehicles");
    mtw_jw_arr(w);
    for (i = 0; i < t->nv; i++) {
        jw_vehicle(w, t, c, i);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "alerts");
    mtw_jw_arr(w);
    for (i = 0; i < l->nalerts; i++) {
        const mtw_alert *a = &l->alerts[i];

        mtw_jw_obj(w);
        mtw_jw_kint(w, "cause", a->cause);
        mtw_jw_kint(w, "effect", a->effect);
        mtw_jw_kstr(w, "header", a->header);
        mtw_jw_kstr(w, "description", a->description);
        mtw_jw_kstr(w, "route_id", a->route_id);
        mtw_jw_kstr(w, "stop_id", a->stop_id);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}
