/*
 * stop.c - the stop documents: predictions:{stop}, stops.
 */
#include "docs/internal.h"


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
    mtw_jw_kstr(w, "stop_id", st->id);
    mtw_jw_kstr(w, "stop_name", st->name);
    mtw_jw_kstr(w, "headsign", p->trip >= 0 ? t->s->trips[p->trip].headsign
                                            : NULL);
    /* no arrival_in_sec: the module counts it from arrival_at at each
     * request, so the document changes only when a prediction does */
    mtw_jw_kint(w, "arrival_at", p->arrival_at);
    mtw_jw_kstr(w, "confidence", mtw_confidence_str(p->confidence));
    mtw_jw_kstr(w, "source", mtw_pred_source_str(p->source));
    if (v != NULL && c->vstates != NULL
        && c->vstates->vid[p->vehicle] != NULL)
    {
        /* the bus's status, occupancy and position are its state in
         * mtw:{city}:vstate, joined by the module in their place */
        mtw_jw_key(w, "live");
        mtw_jw_obj(w);
        jw_opt_int(w, "stops_away", p->stops_away >= 0, p->stops_away);
        mtw_jw_obj_end(w);
    } else {
        jw_inline_vehicle(w, t, c, p, v);
    }
    if (c->feedback != NULL) {
        mtw_doc_jw_feedback(w, "feedback_summary", c, vid);
    }
    jw_opt_int(w, "delay_sec", p->scheduled_at != 0,
               p->arrival_at - p->scheduled_at);
    jw_opt_int(w, "scheduled_arrival_at", p->scheduled_at != 0,
               p->scheduled_at);
    mtw_jw_obj_end(w);
}

void mtw_doc_predictions(mtw_jbuf *w, const mtw_tick *t,
                         const mtw_doc_ctx *c, uint32_t stop)
{
    const mtw_stop *st = &t->s->stops[stop];
    uint32_t k;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "stop_id", st->id);
    mtw_jw_kstr(w, "stop_name", st->name);
    mtw_jw_key(w, "stop");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "id", st->id);
    mtw_jw_kstr(w, "name", st->name);
    mtw_jw_knum(w, "lat", st->lat, 6);
    mtw_jw_knum(w, "lon", st->lon, 6);
    mtw_jw_obj_end(w);
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
