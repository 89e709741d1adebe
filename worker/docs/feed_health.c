/*
 * feed_health.c - the feed-health document: which realtime route, trip
 * and stop ids the static feed does not know (score/diagnose.h), also
 * printed by `mtw-worker diagnose`.
 */
#include "docs/internal.h"
#include "score/diagnose.h"

static void jw_check(mtw_jbuf *w, const char *key, const mtw_id_check *c)
{
    size_t i;

    mtw_jw_key(w, key);
    mtw_jw_obj(w);
    mtw_jw_kint(w, "seen", (int64_t) c->seen);
    mtw_jw_kint(w, "unknown", (int64_t) c->unknown);
    mtw_jw_key(w, "examples");
    mtw_jw_arr(w);
    for (i = 0; i < c->nexamples; i++) {
        mtw_jw_str(w, c->examples[i]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

void mtw_doc_feed_report(mtw_jbuf *w, const mtw_feed_report *r,
                         const char *city, int service_date, int64_t ts)
{
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "city", city);
    mtw_jw_kint(w, "service_date", service_date);
    mtw_jw_kint(w, "vehicles", (int64_t) r->vehicles);
    mtw_jw_kint(w, "vehicles_matched", (int64_t) r->vehicles_matched);
    mtw_jw_kint(w, "trip_updates", (int64_t) r->trip_updates);
    jw_check(w, "routes", &r->routes);
    jw_check(w, "trips", &r->trips);
    jw_check(w, "stops", &r->stops);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
}

int mtw_doc_feed_health(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    mtw_feed_report r;

    if (mtw_feed_diagnose(t->s, t->l, t->now, &r) != 0) {
        return -1;
    }
    mtw_doc_feed_report(w, &r, c->city, t->s->service_date, t->now);
    return 0;
}
