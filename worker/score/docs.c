/*
 * docs.c - the published JSON documents (see docs.h).
 */
#include "score/docs.h"
#include "score/idmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_HEALTHY_SEC 300    /* reference §1.6: healthy iff age < 300 s */

void mtw_doc_set_init(mtw_doc_set *set)
{
    memset(set, 0, sizeof(*set));
}

void mtw_doc_set_free(mtw_doc_set *set)
{
    size_t i;

    for (i = 0; i < set->n; i++) {
        free(set->docs[i].name);
        free(set->docs[i].body);
    }
    free(set->docs);
    memset(set, 0, sizeof(*set));
}

void mtw_etag(const char *body, size_t len, char *out)
{
    snprintf(out, 19, "\"%016llx\"",
             (unsigned long long) mtw_fnv1a64(body, len));
}

static int doc_add(mtw_doc_set *set, const char *name, const mtw_jbuf *w,
                   int64_t ts, const char *etag);

int mtw_doc_set_add(mtw_doc_set *set, const char *name, const mtw_jbuf *w,
                    int64_t ts)
{
    return doc_add(set, name, w, ts, NULL);
}

static int doc_add(mtw_doc_set *set, const char *name, const mtw_jbuf *w,
                   int64_t ts, const char *etag)
{
    mtw_doc *d;

    if (w->failed || w->buf == NULL) {
        return -1;
    }
    if (set->sink != NULL) {
        mtw_doc tmp;

        tmp.name = (char *) name;
        tmp.body = w->buf;
        tmp.len = w->len;
        tmp.ts = ts;
        if (etag != NULL) {
            memcpy(tmp.etag, etag, sizeof(tmp.etag));
        } else {
            mtw_etag(w->buf, w->len, tmp.etag);
        }
        set->sunk++;
        set->sunk_bytes += w->len;
        return set->sink(set->sink_ud, &tmp);
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;

        d = realloc(set->docs, cap * sizeof(*d));
        if (d == NULL) {
            return -1;
        }
        set->docs = d;
        set->cap = cap;
    }
    d = &set->docs[set->n];
    d->name = strdup(name);
    d->body = malloc(w->len + 1);
    if (d->name == NULL || d->body == NULL) {
        free(d->name);
        free(d->body);
        return -1;
    }
    memcpy(d->body, w->buf, w->len + 1);
    d->len = w->len;
    d->ts = ts;
    if (etag != NULL) {
        memcpy(d->etag, etag, sizeof(d->etag));
    } else {
        mtw_etag(d->body, d->len, d->etag);
    }
    set->n++;
    return 0;
}

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

static void jw_freshness(mtw_jbuf *w, const mtw_tick *t,
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

static void jw_dir(mtw_jbuf *w, const char *key, int direction)
{
    if (direction >= 0) {
        mtw_jw_kint(w, key, direction);
    } else {
        mtw_jw_knull(w, key);
    }
}

static void jw_opt_int(mtw_jbuf *w, const char *key, int has, int64_t v)
{
    if (has) {
        mtw_jw_kint(w, key, v);
    } else {
        mtw_jw_knull(w, key);
    }
}

static void jw_opt_num(mtw_jbuf *w, const char *key, double v, int dec)
{
    if (v >= 0 && isfinite(v)) {
        mtw_jw_knum(w, key, v, dec);
    } else {
        mtw_jw_knull(w, key);
    }
}

static int cmp_feedback_key(const void *key, const void *elem)
{
    return strcmp(key, ((const mtw_feedback *) elem)->vehicle_id);
}

static const mtw_feedback *find_feedback(const mtw_doc_ctx *c,
                                         const char *vehicle_id)
{
    if (vehicle_id == NULL || c->feedback == NULL || c->nfeedback == 0) {
        return NULL;
    }
    return bsearch(vehicle_id, c->feedback, c->nfeedback,
                   sizeof(*c->feedback), cmp_feedback_key);
}

static void jw_feedback(mtw_jbuf *w, const char *key, const mtw_doc_ctx *c,
                        const char *vehicle_id)
{
    const mtw_feedback *f = find_feedback(c, vehicle_id);

    mtw_jw_key(w, key);
    mtw_jw_obj(w);
    mtw_jw_kint(w, "ahead", f ? f->ahead : 0);
    mtw_jw_kint(w, "on_time", f ? f->on_time : 0);
    mtw_jw_kint(w, "late", f ? f->late : 0);
    mtw_jw_kint(w, "total", f ? f->total : 0);
    mtw_jw_obj_end(w);
}

struct mtw_doc_frags {
    mtw_jbuf buf;              /* every vehicle's status value */
    size_t *off, *len;
    uint32_t *rg_first, *rg_count;  /* per route: its score groups */
    uint32_t *rv_first, *rv_count;  /* per route: its vehicles, in rv */
    uint32_t *rv;
};

static void jw_status_value(mtw_jbuf *w, const mtw_tick *t,
                            const mtw_doc_ctx *c, long vi);

/* VehicleStatus (reference-api.md §3.2), or null */
static void jw_status(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                      long vi)
{
    mtw_jw_key(w, "status");
    if (c->frags != NULL && vi >= 0) {
        /* a vehicle appears in up to ~40 predictions: render it once */
        mtw_jw_raw(w, c->frags->buf.buf + c->frags->off[vi],
                   c->frags->len[vi]);
        return;
    }
    jw_status_value(w, t, c, vi);
}

static void jw_status_value(mtw_jbuf *w, const mtw_tick *t,
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
        jw_feedback(w, "feedback", c, t->l->vehicles[vi].id);
    }
    mtw_jw_obj_end(w);
}

/* ---- score ------------------------------------------------------------- */

static void jw_score_item(mtw_jbuf *w, const mtw_tick *t,
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

void mtw_doc_score(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    size_t i;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kint(w, "ts", t->now);
    jw_freshness(w, t, c);
    mtw_jw_key(w, "items");
    mtw_jw_arr(w);
    for (i = 0; i < t->ngroups; i++) {
        jw_score_item(w, t, &t->groups[i]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

/* ---- realtime ----------------------------------------------------------- */

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
    jw_status(w, t, c, (long) i);
    if (c->feedback != NULL) {
        jw_feedback(w, "feedback", c, v->id);
    }
    mtw_jw_obj_end(w);
}

void mtw_doc_realtime(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    const mtw_live *l = t->l;
    size_t i, k;

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
    mtw_jw_key(w, "trips");
    mtw_jw_arr(w);
    for (i = 0; i < l->ntus; i++) {
        const mtw_trip_update *tu = &l->tus[i];

        mtw_jw_obj(w);
        mtw_jw_kstr(w, "trip", tu->trip_id);
        mtw_jw_kstr(w, "route", tu->route_id);
        mtw_jw_kint(w, "rel", tu->rel);
        mtw_jw_kstr(w, "vehicle", tu->vehicle_id);
        mtw_jw_key(w, "stops");
        mtw_jw_arr(w);
        for (k = 0; k < tu->ev_count; k++) {
            const mtw_stop_event *e = &l->events[tu->ev_first + k];

            mtw_jw_obj(w);
            mtw_jw_kstr(w, "stop_id", e->stop_id);
            jw_opt_int(w, "seq", e->seq >= 0, e->seq);
            jw_opt_int(w, "arr", e->arr != 0, e->arr);
            jw_opt_int(w, "dep", e->dep != 0, e->dep);
            jw_opt_int(w, "delay", e->has_arr_delay, e->arr_delay);
            mtw_jw_kint(w, "rel", e->rel);
            mtw_jw_obj_end(w);
        }
        mtw_jw_arr_end(w);
        mtw_jw_obj_end(w);
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

/* ---- predictions --------------------------------------------------------- */

static void jw_prediction(mtw_jbuf *w, const mtw_tick *t,
                          const mtw_doc_ctx *c, const mtw_prediction *p)
{
    const mtw_stop *st = &t->s->stops[p->stop];
    const mtw_vehicle *v = p->vehicle >= 0 ? &t->l->vehicles[p->vehicle]
                                           : NULL;
    const char *vid = v ? v->id : p->tu ? p->tu->vehicle_id : NULL;
    int64_t in = p->arrival_at - t->now;

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
    mtw_jw_kint(w, "arrival_in_sec", in > 0 ? in : 0);
    mtw_jw_kint(w, "arrival_at", p->arrival_at);
    mtw_jw_kstr(w, "confidence", mtw_confidence_str(p->confidence));
    mtw_jw_kstr(w, "source", mtw_pred_source_str(p->source));
    jw_status(w, t, c, p->vehicle);
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
    if (c->feedback != NULL) {
        jw_feedback(w, "feedback_summary", c, vid);
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
    mtw_jw_kint(w, "timestamp", t->now);
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
}

/* ---- routes -------------------------------------------------------------- */

/* live summary of route r over its score groups */
typedef struct {
    int vehicles;
    mtw_grade grade;            /* vehicle-weighted over directions */
    double pct;
    int nh, n_bunched, n_gapped, otp_n, otp_ok;
    int min_h, max_h;
    const mtw_group_score *worst;       /* lowest grade, for issues */
} route_live;

static void route_groups(const mtw_tick *t, const mtw_doc_ctx *c,
                         uint32_t r, size_t *from, size_t *to)
{
    if (c->frags != NULL) {
        *from = c->frags->rg_first[r];
        *to = *from + c->frags->rg_count[r];
    } else {
        *from = 0;
        *to = t->ngroups;
    }
}

static void route_summary(const mtw_tick *t, const mtw_doc_ctx *c,
                          uint32_t r, route_live *o)
{
    mtw_grade grades[8];
    int veh[8];
    size_t i, n = 0, from, to;

    memset(o, 0, sizeof(*o));
    o->grade = MTW_GRADE_NA;
    o->min_h = -1;
    o->max_h = -1;
    route_groups(t, c, r, &from, &to);
    for (i = from; i < to; i++) {
        const mtw_group_score *g = &t->groups[i];
        int k;

        if (g->route != (long) r) {
            continue;
        }
        if (n < 8) {
            grades[n] = g->grade;
            veh[n] = g->vehicles;
            n++;
        }
        o->vehicles += g->vehicles;
        o->nh += g->nh;
        o->n_bunched += g->n_bunched;
        o->n_gapped += g->n_gapped;
        o->otp_n += g->otp_n;
        if (g->otp >= 0) {
            o->otp_ok += (int) lround(g->otp * g->otp_n);
        }
        for (k = 0; k < g->nh; k++) {
            if (o->min_h < 0 || g->headways[k] < o->min_h) {
                o->min_h = g->headways[k];
            }
            if (g->headways[k] > o->max_h) {
                o->max_h = g->headways[k];
            }
        }
        if (o->worst == NULL || (g->grade != MTW_GRADE_NA
            && (o->worst->grade == MTW_GRADE_NA || g->grade > o->worst->grade)))
        {
            o->worst = g;
        }
    }
    if (n > 0) {
        o->grade = mtw_system_grade(grades, veh, n, &o->pct);
    }
}

static int cmp_history_key(const void *key, const void *elem)
{
    return strcmp(key, ((const mtw_route_history *) elem)->route_id);
}

static const mtw_route_history *find_history(const mtw_doc_ctx *c,
                                             const char *route_id)
{
    if (c->history == NULL || c->nhistory == 0) {
        return NULL;
    }
    return bsearch(route_id, c->history, c->nhistory, sizeof(*c->history),
                   cmp_history_key);
}

/* numeric-aware order of route short names (reference §2.9 sort) */
static const mtw_schedule *sort_sched;

static int cmp_route_name(const void *a, const void *b)
{
    const mtw_route *x = &sort_sched->routes[*(const uint32_t *) a];
    const mtw_route *y = &sort_sched->routes[*(const uint32_t *) b];
    const char *sx = x->short_name ? x->short_name : x->id;
    const char *sy = y->short_name ? y->short_name : y->id;
    char *ex, *ey;
    double nx = strtod(sx, &ex), ny = strtod(sy, &ey);

    if (*sx && *sy && *ex == '\0' && *ey == '\0' && nx != ny) {
        return nx < ny ? -1 : 1;
    }
    return strcmp(sx, sy);
}

static void jw_route_row(mtw_jbuf *w, const mtw_tick *t,
                         const mtw_doc_ctx *c, uint32_t r)
{
    const mtw_route *rt = &t->s->routes[r];
    const mtw_route_history *h = find_history(c, rt->id);
    route_live lv;
    double adjusted = 0;
    int days = h ? h->days : 0;
    mtw_grade grade;
    const char *conf;

    route_summary(t, c, r, &lv);
    if (days > 0) {
        adjusted = mtw_adjusted_performance(h->mean, days, c->system_median);
    }
    grade = mtw_grade_from_pct(adjusted, 1);
    conf = mtw_history_confidence(days);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "id", rt->id);
    mtw_jw_kstr(w, "short_name", rt->short_name);
    mtw_jw_kstr(w, "long_name", rt->long_name);
    mtw_jw_kstr(w, "color", rt->color && rt->color[0] ? rt->color : NULL);
    mtw_jw_kstr(w, "text_color", rt->text_color && rt->text_color[0]
                                 ? rt->text_color : NULL);
    if (grade == MTW_GRADE_NA && lv.grade != MTW_GRADE_NA) {
        /* no history yet: the live grade (reference §2.9 step 5) */
        mtw_jw_kstr(w, "grade", mtw_grade_str(lv.grade));
        mtw_jw_knum(w, "on_time_pct", mtw_grade_display_pct(lv.grade), 1);
        conf = "realtime";
    } else {
        mtw_jw_kstr(w, "grade", mtw_grade_str(grade));
        jw_opt_num(w, "on_time_pct", grade == MTW_GRADE_NA ? -1 : adjusted,
                   1);
    }
    mtw_jw_kint(w, "active_vehicles", lv.vehicles);
    mtw_jw_kint(w, "days_of_data", days);
    mtw_jw_kstr(w, "confidence_level", conf);
    mtw_jw_key(w, "live");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "grade", mtw_grade_str(lv.grade));
    mtw_jw_kint(w, "vehicles", lv.vehicles);
    mtw_jw_kint(w, "headways_observed", lv.nh);
    mtw_jw_kint(w, "bunched", lv.n_bunched);
    mtw_jw_kint(w, "gapped", lv.n_gapped);
    jw_opt_num(w, "on_time_pct", lv.otp_n > 0 ? 100.0 * lv.otp_ok / lv.otp_n
                                              : -1, 1);
    mtw_jw_obj_end(w);
    mtw_jw_obj_end(w);
}

static uint32_t *routes_by_name(const mtw_schedule *s)
{
    uint32_t *order = malloc((s->nroutes + 1) * sizeof(*order));
    size_t i;

    if (order == NULL) {
        return NULL;
    }
    for (i = 0; i < s->nroutes; i++) {
        order[i] = (uint32_t) i;
    }
    sort_sched = s;
    mtw_sort(order, s->nroutes, sizeof(*order), cmp_route_name);
    return order;
}

void mtw_doc_routes(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    uint32_t *order = routes_by_name(t->s);
    size_t i;

    mtw_jbuf_reset(w);
    if (order == NULL) {
        w->failed = 1;
        return;
    }
    mtw_jw_obj(w);
    mtw_jw_key(w, "routes");
    mtw_jw_arr(w);
    for (i = 0; i < t->s->nroutes; i++) {
        jw_route_row(w, t, c, order[i]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "timestamp", t->now);
    mtw_jw_kstr(w, "city", c->city);
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
    free(order);
}

static void jw_empty_heatmap(mtw_jbuf *w)
{
    static const char *const days[] = {
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
    };
    static const char *const buckets[] = {
        "0-6", "6-9", "9-12", "12-15", "15-18", "18-21", "21-24"
    };
    int d, b;

    mtw_jw_key(w, "heatmap");
    mtw_jw_obj(w);
    mtw_jw_key(w, "days");
    mtw_jw_arr(w);
    for (d = 0; d < 7; d++) {
        mtw_jw_str(w, days[d]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "buckets");
    mtw_jw_arr(w);
    for (b = 0; b < 7; b++) {
        mtw_jw_str(w, buckets[b]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "cells");
    mtw_jw_arr(w);
    for (d = 0; d < 7; d++) {
        for (b = 0; b < 7; b++) {
            mtw_jw_arr(w);
            mtw_jw_int(w, d);
            mtw_jw_int(w, b);
            mtw_jw_null(w);
            mtw_jw_arr_end(w);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

/* Live Activity (reference-api.md §2.13, the intended contract): delay
 * from the status, +-180 s; health = on time / active */
void mtw_doc_route_activity(mtw_jbuf *w, const mtw_tick *t,
                            const mtw_doc_ctx *c, uint32_t r)
{
    const mtw_route *rt = &t->s->routes[r];
    size_t k, n = c->frags ? c->frags->rv_count[r] : t->nv;
    int active = 0, on = 0, late = 0, early = 0;

    for (k = 0; k < n; k++) {
        size_t i = c->frags ? c->frags->rv[c->frags->rv_first[r] + k] : k;
        const mtw_vstate *vs = &t->vs[i];

        if (vs->route != (long) r) {
            continue;
        }
        active++;
        if (!vs->has_delay) {
            continue;
        }
        if (vs->delay > 180) {
            late++;
        } else if (vs->delay < -180) {
            early++;
        } else {
            on++;
        }
    }
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", rt->id);
    mtw_jw_kstr(w, "short_name", rt->short_name);
    mtw_jw_kstr(w, "color", rt->color && rt->color[0] ? rt->color : NULL);
    mtw_jw_kint(w, "active_vehicles", active);
    mtw_jw_kint(w, "on_time_vehicles", on);
    mtw_jw_kint(w, "late_vehicles", late);
    mtw_jw_kint(w, "early_vehicles", early);
    mtw_jw_kint(w, "health_percent",
                active > 0 ? (int64_t) llround(100.0 * on / active) : 0);
    mtw_jw_kint(w, "timestamp", mtw_live_ts(t->l));
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
}

typedef struct {
    uint32_t stop;
    int32_t seq;
} stop_seq;

static int cmp_stop_seq_by_stop(const void *a, const void *b)
{
    const stop_seq *x = a, *y = b;

    if (x->stop != y->stop) {
        return x->stop < y->stop ? -1 : 1;
    }
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_stop_seq_by_seq(const void *a, const void *b)
{
    const stop_seq *x = a, *y = b;

    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return (x->stop > y->stop) - (x->stop < y->stop);
}

/* reference §2.11 with a route filter: distinct stops of the route's
 * direction-0 trips (or its only direction), by their lowest sequence */
void mtw_doc_route_stops(mtw_jbuf *w, const mtw_schedule *s, uint32_t r,
                         int64_t ts)
{
    const mtw_route_dir *rd = mtw_schedule_rdir(s, (long) r, 0);
    stop_seq *v = NULL;
    size_t i, k, n = 0, total = 0, u = 0;

    if (rd == NULL && s->rdir_first[r] != MTW_IDMAP_NONE) {
        rd = &s->rdirs[s->rdir_first[r]];
    }
    for (i = 0; rd != NULL && i < rd->ntrips; i++) {
        total += s->trips[rd->trips[i]].st_count;
    }
    if (total > 0) {
        v = malloc(total * sizeof(*v));
    }
    for (i = 0; v != NULL && i < rd->ntrips; i++) {
        const mtw_trip *tr = &s->trips[rd->trips[i]];

        for (k = 0; k < tr->st_count; k++) {
            v[n].stop = s->st[tr->st_first + k].stop;
            v[n].seq = s->st[tr->st_first + k].seq;
            n++;
        }
    }
    /* keep each stop's lowest sequence, then order by it */
    mtw_sort(v, n, sizeof(*v), cmp_stop_seq_by_stop);
    for (i = 0; i < n; i++) {
        if (u == 0 || v[u - 1].stop != v[i].stop) {
            v[u++] = v[i];
        }
    }
    mtw_sort(v, u, sizeof(*v), cmp_stop_seq_by_seq);
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "stops");
    mtw_jw_arr(w);
    for (i = 0; i < u; i++) {
        const mtw_stop *st = &s->stops[v[i].stop];

        mtw_jw_obj(w);
        mtw_jw_kstr(w, "id", st->id);
        mtw_jw_kstr(w, "name", st->name);
        mtw_jw_knum(w, "lat", st->lat, 6);
        mtw_jw_knum(w, "lon", st->lon, 6);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
    free(v);
}

void mtw_doc_route(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                   uint32_t r)
{
    const mtw_route *rt = &t->s->routes[r];
    const mtw_route_history *h = find_history(c, rt->id);
    route_live lv;
    size_t i, to;

    route_summary(t, c, r, &lv);
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "route");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "id", rt->id);
    mtw_jw_kstr(w, "short_name", rt->short_name);
    mtw_jw_kstr(w, "long_name", rt->long_name);
    mtw_jw_kstr(w, "color", rt->color && rt->color[0] ? rt->color : NULL);
    mtw_jw_obj_end(w);
    /* 30-day stats (reference §2.10); no sentinel 0/100 without data */
    mtw_jw_key(w, "stats");
    mtw_jw_obj(w);
    mtw_jw_kint(w, "totalDays", h ? h->days : 0);
    jw_opt_num(w, "avgPerformance", h && h->days ? h->mean : -1, 1);
    mtw_jw_kstr(w, "bestDay", h ? h->best_day : NULL);
    jw_opt_num(w, "bestPerformance", h && h->days ? h->best : -1, 1);
    mtw_jw_kstr(w, "worstDay", h ? h->worst_day : NULL);
    jw_opt_num(w, "worstPerformance", h && h->days ? h->worst : -1, 1);
    mtw_jw_kstr(w, "grade", mtw_grade_str(mtw_grade_from_pct(
                                 h && h->days ? h->mean : 0.0, 1)));
    mtw_jw_obj_end(w);
    /* reference-api.md §5.3 chart data: the daily trend from history; the
     * stop reliability, weather and heatmap need the arrival history and
     * weather jobs, so they are empty (all 49 heatmap cells null) until
     * those exist */
    mtw_jw_key(w, "trend");
    mtw_jw_obj(w);
    mtw_jw_key(w, "dates");
    mtw_jw_arr(w);
    for (i = 0; h != NULL && i < (size_t) h->ntrend; i++) {
        mtw_jw_str(w, h->trend_dates[i]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "on_time_pct");
    mtw_jw_arr(w);
    for (i = 0; h != NULL && i < (size_t) h->ntrend; i++) {
        mtw_jw_num(w, h->trend_pct[i], 1);      /* NaN -> null */
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
    mtw_jw_key(w, "stop_reliability");
    mtw_jw_obj(w);
    mtw_jw_knull(w, "0");
    mtw_jw_knull(w, "1");
    mtw_jw_obj_end(w);
    mtw_jw_key(w, "weather");
    mtw_jw_arr(w);
    mtw_jw_arr_end(w);
    jw_empty_heatmap(w);
    mtw_jw_key(w, "live");
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "grade", mtw_grade_str(lv.grade));
    mtw_jw_kint(w, "vehicles", lv.vehicles);
    mtw_jw_key(w, "directions");
    mtw_jw_arr(w);
    route_groups(t, c, r, &i, &to);
    for (; i < to; i++) {
        if (t->groups[i].route == (long) r) {
            jw_score_item(w, t, &t->groups[i]);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
    mtw_jw_kint(w, "timestamp", t->now);
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
}

/* the route's representative trip: most stops over its directions */
static long route_rep(const mtw_schedule *s, uint32_t r)
{
    long rep = -1;
    size_t i;

    if (s->rdir_first[r] == MTW_IDMAP_NONE) {
        return -1;
    }
    for (i = s->rdir_first[r]; i < s->nrdirs && s->rdirs[i].route == r; i++) {
        const mtw_trip *t = &s->trips[s->rdirs[i].rep];

        if (rep < 0 || t->st_count > s->trips[rep].st_count) {
            rep = (long) s->rdirs[i].rep;
        }
    }
    return rep;
}

void mtw_doc_route_live(mtw_jbuf *w, const mtw_tick *t,
                        const mtw_doc_ctx *c, uint32_t r)
{
    const mtw_schedule *s = t->s;
    const mtw_route *rt = &s->routes[r];
    long rep = route_rep(s, r);
    const char *h0 = NULL, *h1 = NULL;
    char label[256];
    route_live lv;
    int timepoints = 0;
    size_t i, k;

    route_summary(t, c, r, &lv);
    if (s->rdir_first[r] != MTW_IDMAP_NONE) {
        for (i = s->rdir_first[r]; i < s->nrdirs && s->rdirs[i].route == r;
             i++)
        {
            const mtw_trip *tr = &s->trips[s->rdirs[i].rep];

            if (s->rdirs[i].direction == 1) {
                h1 = tr->headsign;
            } else if (h0 == NULL) {
                h0 = tr->headsign;
            }
        }
    }
    if (h0 && h1) {
        snprintf(label, sizeof(label), "%s \xe2\x87\x94 %s", h0, h1);
    } else {
        snprintf(label, sizeof(label), "%s", rt->long_name ? rt->long_name
                                                           : rt->id);
    }
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", rt->id);
    mtw_jw_kint(w, "updated_at", mtw_live_ts(t->l));
    jw_opt_int(w, "age_sec", mtw_live_age(t, c) >= 0, mtw_live_age(t, c));
    mtw_jw_kbool(w, "is_stale", mtw_live_stale(t, c));
    mtw_jw_kbool(w, "stale", mtw_live_stale(t, c));
    mtw_jw_kstr(w, "direction_label", label);
    /* the spread of observed headways (not of GPS report times, which is
     * what the reference's header showed, reference §2.6) */
    mtw_jw_key(w, "headway");
    mtw_jw_obj(w);
    jw_opt_int(w, "min_sec", lv.min_h >= 0, lv.min_h);
    jw_opt_int(w, "max_sec", lv.max_h >= 0, lv.max_h);
    mtw_jw_obj_end(w);
    if (rep >= 0) {
        const mtw_trip *tr = &s->trips[rep];

        for (k = 0; k < tr->st_count; k++) {
            timepoints += s->st[tr->st_first + k].timepoint;
        }
    }
    mtw_jw_key(w, "counts");
    mtw_jw_obj(w);
    mtw_jw_kint(w, "vehicles_online", lv.vehicles);
    mtw_jw_kint(w, "timepoints", timepoints);
    mtw_jw_kint(w, "total_stops", rep >= 0 ? s->trips[rep].st_count : 0);
    mtw_jw_obj_end(w);
    mtw_jw_key(w, "stops");
    mtw_jw_arr(w);
    if (rep >= 0) {
        const mtw_trip *tr = &s->trips[rep];

        for (k = 0; k < tr->st_count; k++) {
            const mtw_stop_time *row = &s->st[tr->st_first + k];
            const mtw_stop *st = &s->stops[row->stop];
            uint32_t q;

            mtw_jw_obj(w);
            mtw_jw_kstr(w, "id", st->id);
            mtw_jw_kstr(w, "name", st->name);
            mtw_jw_kbool(w, "is_timepoint", row->timepoint);
            mtw_jw_kint(w, "sequence", row->seq);
            mtw_jw_key(w, "approaching");
            mtw_jw_arr(w);
            /* reference §5.4 window: -30 s < eta < 300 s */
            for (q = 0; q < t->stop_count[row->stop]; q++) {
                const mtw_prediction *p =
                    &t->preds[t->stop_first[row->stop] + q];
                int64_t eta = p->arrival_at - t->now;

                if (eta <= -30 || eta >= 300 || p->route_id == NULL
                    || strcmp(p->route_id, rt->id) != 0)
                {
                    continue;
                }
                mtw_jw_obj(w);
                mtw_jw_kstr(w, "vehicle_id", p->vehicle >= 0
                            ? t->l->vehicles[p->vehicle].id
                            : p->tu ? p->tu->vehicle_id : NULL);
                mtw_jw_kstr(w, "trip_id", p->trip_id);
                mtw_jw_kint(w, "arrival_at", p->arrival_at);
                mtw_jw_kstr(w, "confidence",
                            mtw_confidence_str(p->confidence));
                mtw_jw_obj_end(w);
            }
            mtw_jw_arr_end(w);
            mtw_jw_obj_end(w);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "vehicles");
    mtw_jw_arr(w);
    for (k = 0; k < (c->frags ? c->frags->rv_count[r] : t->nv); k++) {
        size_t i2 = c->frags ? c->frags->rv[c->frags->rv_first[r] + k] : k;
        const mtw_vstate *vs = &t->vs[i2];
        const mtw_vehicle *v = &t->l->vehicles[i2];
        char display[80];
        const char *d;

        i = i2;
        if (vs->route != (long) r) {
            continue;
        }
        /* "Bus " + the first run of digits of the id (reference §5.4) */
        d = v->id ? v->id + strcspn(v->id, "0123456789") : NULL;
        if (d != NULL && *d) {
            snprintf(display, sizeof(display), "Bus %.*s",
                     (int) strspn(d, "0123456789"), d);
        } else {
            snprintf(display, sizeof(display), "%s", v->id ? v->id : "");
        }
        mtw_jw_obj(w);
        mtw_jw_kstr(w, "vehicle_id", v->id);
        mtw_jw_kstr(w, "display_id", display);
        mtw_jw_kstr(w, "trip_id", v->trip_id);
        jw_dir(w, "direction", vs->direction);
        if (v->has_pos) {
            mtw_jw_knum(w, "lat", v->lat, 6);
            mtw_jw_knum(w, "lon", v->lon, 6);
        } else {
            mtw_jw_knull(w, "lat");
            mtw_jw_knull(w, "lon");
        }
        mtw_jw_knum(w, "bearing", v->bearing, 0);
        mtw_jw_knum(w, "speed_kmh", v->speed * 3.6, 0);
        mtw_jw_kint(w, "ts", v->ts);
        jw_status(w, t, c, (long) i);
        mtw_jw_key(w, "next_arrival");
        if (vs->next_pred >= 0) {
            const mtw_prediction *p = &t->preds[vs->next_pred];

            mtw_jw_obj(w);
            mtw_jw_kstr(w, "stop_id", s->stops[p->stop].id);
            mtw_jw_kstr(w, "stop_name", s->stops[p->stop].name);
            mtw_jw_kint(w, "arrival_at", p->arrival_at);
            mtw_jw_kstr(w, "confidence", mtw_confidence_str(p->confidence));
            mtw_jw_obj_end(w);
        } else {
            mtw_jw_null(w);
        }
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

/* ---- stops, cities --------------------------------------------------------- */

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

void mtw_doc_cities(mtw_jbuf *w, const mtw_city_info *cities, size_t n,
                    const mtw_schedule *const *schedules)
{
    size_t i, k;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "cities");
    mtw_jw_arr(w);
    for (i = 0; i < n; i++) {
        const mtw_city_info *ci = &cities[i];
        double lat = ci->center_lat, lon = ci->center_lon;
        const mtw_schedule *s = schedules ? schedules[i] : NULL;

        if ((!isfinite(lat) || !isfinite(lon)) && s != NULL
            && s->nstops > 0)
        {
            lat = lon = 0;
            for (k = 0; k < s->nstops; k++) {
                lat += s->stops[k].lat;
                lon += s->stops[k].lon;
            }
            lat /= (double) s->nstops;
            lon /= (double) s->nstops;
        }
        mtw_jw_obj(w);
        mtw_jw_kint(w, "id", ci->id);
        mtw_jw_kstr(w, "name", ci->name);
        mtw_jw_kstr(w, "slug", ci->slug);
        mtw_jw_kstr(w, "country", ci->country);
        mtw_jw_knum(w, "center_lat", lat, 6);
        mtw_jw_knum(w, "center_lon", lon, 6);
        mtw_jw_kint(w, "zoom_level", ci->zoom_level);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

/* ---- overview -------------------------------------------------------------- */

/* RouteMetric (reference-api.md §5.1) for one score group */
static void jw_route_metric(mtw_jbuf *w, const mtw_tick *t,
                            const mtw_group_score *g)
{
    static const double pct[] = { 92, 85, 75, 65, 50, 0 };
    const mtw_route *rt = g->route >= 0 ? &t->s->routes[g->route] : NULL;
    const char *issue = NULL;

    if (g->grade == MTW_GRADE_D || g->grade == MTW_GRADE_F) {
        /* now that scheduled headways exist, the reference's bunching and
         * gaps branches work: observed < 0.5 x or > 1.5 x scheduled */
        if (g->observed >= 0 && g->scheduled > 0
            && g->observed * 2 < g->scheduled)
        {
            issue = "bunching";
        } else if (g->observed >= 0 && g->scheduled > 0
                   && g->observed * 2 > g->scheduled * 3)
        {
            issue = "gaps";
        } else {
            issue = "delays";
        }
    } else if (g->grade == MTW_GRADE_C && g->vehicles == 1
               && g->observed < 0)
    {
        issue = "limited_data";
    }
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", g->route_id);
    jw_dir(w, "direction", g->direction);
    mtw_jw_kstr(w, "short_name", rt ? rt->short_name : NULL);
    mtw_jw_kstr(w, "long_name", rt ? rt->long_name : NULL);
    mtw_jw_kstr(w, "grade", mtw_grade_str(g->grade));
    jw_opt_num(w, "on_time_percentage", g->grade == MTW_GRADE_NA ? -1
                                        : pct[g->grade], 1);
    mtw_jw_kstr(w, "colour", rt && rt->color && rt->color[0] ? rt->color
                                                             : NULL);
    mtw_jw_kint(w, "active_vehicles", g->vehicles);
    mtw_jw_knull(w, "trend");
    mtw_jw_kstr(w, "issue", issue);
    mtw_jw_kint(w, "days_of_data", 0);
    mtw_jw_kstr(w, "confidence_level", "realtime");
    if (g->has_cv) {
        mtw_jw_kstr(w, "headway_los", mtw_los_str(g->los));
    } else {
        mtw_jw_knull(w, "headway_los");
    }
    mtw_jw_obj_end(w);
}

static const mtw_tick *sort_t;

/* top performers: grade best first, then more vehicles (reference §3.4) */
static int cmp_top(const void *a, const void *b)
{
    const mtw_group_score *x = &sort_t->groups[*(const uint32_t *) a];
    const mtw_group_score *y = &sort_t->groups[*(const uint32_t *) b];

    if (x->grade != y->grade) {
        return x->grade < y->grade ? -1 : 1;
    }
    if (x->vehicles != y->vehicles) {
        return x->vehicles > y->vehicles ? -1 : 1;
    }
    return *(const uint32_t *) a < *(const uint32_t *) b ? -1 : 1;
}

/* needs attention: worst grade first, then fewer vehicles */
static int cmp_attention(const void *a, const void *b)
{
    const mtw_group_score *x = &sort_t->groups[*(const uint32_t *) a];
    const mtw_group_score *y = &sort_t->groups[*(const uint32_t *) b];

    if (x->grade != y->grade) {
        return x->grade > y->grade ? -1 : 1;
    }
    if (x->vehicles != y->vehicles) {
        return x->vehicles < y->vehicles ? -1 : 1;
    }
    return *(const uint32_t *) a < *(const uint32_t *) b ? -1 : 1;
}

static const mtw_route_history *sort_hist;

static int cmp_hist_best(const void *a, const void *b)
{
    const mtw_route_history *x = &sort_hist[*(const uint32_t *) a];
    const mtw_route_history *y = &sort_hist[*(const uint32_t *) b];

    if (x->mean != y->mean) {
        return x->mean > y->mean ? -1 : 1;
    }
    return strcmp(x->route_id, y->route_id);
}

/* reference §3.5 findHistoricalTop/WorstPerformers: routes with >= 3 days
 * in the window, by mean daily on-time %, 5 of them */
static void jw_historical(mtw_jbuf *w, const mtw_tick *t,
                          const mtw_doc_ctx *c, const char *key, int best)
{
    uint32_t *idx = NULL;
    size_t i, n = 0, shown = 0;

    mtw_jw_key(w, key);
    mtw_jw_arr(w);
    if (c->history != NULL && c->nhistory > 0) {
        idx = malloc(c->nhistory * sizeof(*idx));
    }
    for (i = 0; idx != NULL && i < c->nhistory; i++) {
        if (c->history[i].days >= 3) {
            idx[n++] = (uint32_t) i;
        }
    }
    sort_hist = c->history;
    mtw_sort(idx, n, sizeof(*idx), cmp_hist_best);
    for (i = 0; i < n && shown < 5; i++) {
        const mtw_route_history *h = &c->history[idx[best ? i : n - 1 - i]];
        long r = mtw_schedule_route(t->s, h->route_id);
        const mtw_route *rt = r >= 0 ? &t->s->routes[r] : NULL;

        shown++;
        mtw_jw_obj(w);
        mtw_jw_kstr(w, "route_id", h->route_id);
        mtw_jw_kstr(w, "short_name", rt ? rt->short_name : NULL);
        mtw_jw_kstr(w, "long_name", rt ? rt->long_name : NULL);
        mtw_jw_kstr(w, "grade", mtw_grade_str(mtw_grade_from_pct(h->mean,
                                                                 0)));
        mtw_jw_knum(w, "on_time_percentage", h->mean, 1);
        mtw_jw_kstr(w, "colour", rt && rt->color && rt->color[0]
                                 ? rt->color : NULL);
        mtw_jw_knull(w, "active_vehicles");
        mtw_jw_knull(w, "trend");
        mtw_jw_knull(w, "issue");
        mtw_jw_kint(w, "days_of_data", h->days);
        mtw_jw_kstr(w, "confidence_level", mtw_history_confidence(h->days));
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
    free(idx);
}

void mtw_doc_overview(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c)
{
    mtw_grade *grades = calloc(t->ngroups + 1, sizeof(*grades));
    int *veh = calloc(t->ngroups + 1, sizeof(*veh));
    uint32_t *top = calloc(t->ngroups + 1, sizeof(*top));
    uint32_t *att = calloc(t->ngroups + 1, sizeof(*att));
    size_t i, ntop = 0, natt = 0;
    int nh = 0, nb = 0, ngap = 0, otp_n = 0, otp_ok = 0;
    int64_t vts = t->l->vehicles_ts;
    double pct;
    mtw_grade sys;
    int los_count[6] = { 0 };

    mtw_jbuf_reset(w);
    if (grades == NULL || veh == NULL || top == NULL || att == NULL) {
        free(grades);
        free(veh);
        free(top);
        free(att);
        w->failed = 1;
        return;
    }
    for (i = 0; i < t->ngroups; i++) {
        const mtw_group_score *g = &t->groups[i];

        grades[i] = g->grade;
        veh[i] = g->vehicles;
        if (g->grade != MTW_GRADE_NA && g->vehicles > 0) {
            top[ntop++] = (uint32_t) i;
        }
        if (g->vehicles > 0 && (g->grade == MTW_GRADE_D
            || g->grade == MTW_GRADE_F
            || (g->grade == MTW_GRADE_C && g->vehicles == 1)))
        {
            att[natt++] = (uint32_t) i;
        }
        nh += g->nh;
        nb += g->n_bunched;
        ngap += g->n_gapped;
        otp_n += g->otp_n;
        if (g->otp >= 0) {
            otp_ok += (int) lround(g->otp * g->otp_n);
        }
        if (g->has_cv) {
            los_count[g->los]++;
        }
    }
    sys = mtw_system_grade(grades, veh, t->ngroups, &pct);
    sort_t = t;
    mtw_sort(top, ntop, sizeof(*top), cmp_top);
    mtw_sort(att, natt, sizeof(*att), cmp_attention);

    mtw_jw_obj(w);
    mtw_jw_kstr(w, "system_grade", mtw_grade_str(sys));
    mtw_jw_knum(w, "on_time_percentage", pct, 1);
    mtw_jw_kint(w, "active_vehicles", (int64_t) t->nv);
    mtw_jw_kint(w, "total_routes", (int64_t) t->s->nroutes);
    mtw_jw_knull(w, "change_vs_yesterday");
    mtw_jw_key(w, "top_performers");
    mtw_jw_arr(w);
    for (i = 0; i < ntop && i < 5; i++) {
        jw_route_metric(w, t, &t->groups[top[i]]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_key(w, "needs_attention");
    mtw_jw_arr(w);
    for (i = 0; i < natt && i < 5; i++) {
        jw_route_metric(w, t, &t->groups[att[i]]);
    }
    mtw_jw_arr_end(w);
    jw_historical(w, t, c, "historical_top_performers", 1);
    jw_historical(w, t, c, "historical_worst_performers", 0);
    /* the network now, measured (not the grade-band estimate above) */
    mtw_jw_key(w, "now");
    mtw_jw_obj(w);
    mtw_jw_kint(w, "headways_observed", nh);
    mtw_jw_kint(w, "bunched", nb);
    mtw_jw_kint(w, "gapped", ngap);
    jw_opt_num(w, "bunched_share", nh > 0 ? (double) nb / nh : -1, 2);
    jw_opt_num(w, "on_time_pct", otp_n > 0 ? 100.0 * otp_ok / otp_n : -1, 1);
    mtw_jw_kint(w, "on_time_sample", otp_n);
    mtw_jw_key(w, "headway_los");
    mtw_jw_obj(w);
    for (i = 0; i < 6; i++) {
        mtw_jw_kint(w, mtw_los_str((mtw_los) i), los_count[i]);
    }
    mtw_jw_obj_end(w);
    mtw_jw_obj_end(w);
    mtw_jw_kint(w, "timestamp", t->now);
    mtw_jw_kbool(w, "is_feed_healthy",
                 vts > 0 && c->now - vts < FEED_HEALTHY_SEC);
    jw_opt_int(w, "feed_last_updated", vts > 0, vts);
    jw_freshness(w, t, c);
    mtw_jw_obj_end(w);
    free(grades);
    free(veh);
    free(top);
    free(att);
}

/* ---- one tick's documents ------------------------------------------------- */

/* ids that may appear in a key (docs/redis-contract.md): the module only
 * asks for these, and nothing else is ever written into a key name */
int mtw_valid_doc_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;

    return n >= 1 && n <= 64
           && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789._~:-") == n;
}

static void frags_free(mtw_doc_frags *f)
{
    mtw_jbuf_free(&f->buf);
    free(f->off);
    free(f->len);
    free(f->rg_first);
    free(f->rg_count);
    free(f->rv_first);
    free(f->rv_count);
    free(f->rv);
}

static int frags_build(mtw_doc_frags *f, const mtw_tick *t,
                       const mtw_doc_ctx *c)
{
    size_t i;

    mtw_jbuf_init(&f->buf);
    f->off = malloc((t->nv + 1) * sizeof(size_t));
    f->len = malloc((t->nv + 1) * sizeof(size_t));
    if (f->off == NULL || f->len == NULL) {
        return -1;
    }
    f->rg_first = calloc(t->s->nroutes + 1, sizeof(uint32_t));
    f->rg_count = calloc(t->s->nroutes + 1, sizeof(uint32_t));
    if (f->rg_first == NULL || f->rg_count == NULL) {
        return -1;
    }
    /* each route's vehicles, by a counting sort */
    f->rv_first = calloc(t->s->nroutes + 1, sizeof(uint32_t));
    f->rv_count = calloc(t->s->nroutes + 1, sizeof(uint32_t));
    f->rv = malloc((t->nv + 1) * sizeof(uint32_t));
    if (f->rv_first == NULL || f->rv_count == NULL || f->rv == NULL) {
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        if (t->vs[i].route >= 0) {
            f->rv_count[t->vs[i].route]++;
        }
    }
    for (i = 1; i < t->s->nroutes; i++) {
        f->rv_first[i] = f->rv_first[i - 1] + f->rv_count[i - 1];
    }
    memset(f->rg_count, 0, (t->s->nroutes + 1) * sizeof(uint32_t));
    {
        uint32_t *fill = calloc(t->s->nroutes + 1, sizeof(uint32_t));

        if (fill == NULL) {
            return -1;
        }
        for (i = 0; i < t->nv; i++) {
            long r = t->vs[i].route;

            if (r >= 0) {
                f->rv[f->rv_first[r] + fill[r]++] = (uint32_t) i;
            }
        }
        free(fill);
    }
    /* groups are sorted by route id: each route's are contiguous */
    for (i = t->ngroups; i-- > 0;) {
        long r = t->groups[i].route;

        if (r >= 0) {
            f->rg_first[r] = (uint32_t) i;
            f->rg_count[r]++;
        }
    }
    for (i = 0; i < t->nv; i++) {
        f->off[i] = f->buf.len;
        f->buf.need_comma = 0;
        jw_status_value(&f->buf, t, c, (long) i);
        f->len[i] = f->buf.len - f->off[i];
    }
    return f->buf.failed || (t->nv > 0 && f->buf.buf == NULL) ? -1 : 0;
}

int mtw_docs_build_tick(mtw_doc_set *set, const mtw_tick *t,
                        const mtw_doc_ctx *c0, unsigned what,
                        const uint8_t *also_routes, const uint8_t *also_stops)
{
    const mtw_schedule *s = t->s;
    uint8_t *live_route = calloc(s->nroutes + 1, 1);
    mtw_doc_ctx cc = *c0, *c = &cc;
    mtw_doc_frags frags;
    mtw_jbuf w, pw[4];
    char name[160];
    size_t i;
    int rc = -1;

    memset(&frags, 0, sizeof(frags));
    mtw_jbuf_init(&w);
    for (i = 0; i < 4; i++) {
        mtw_jbuf_init(&pw[i]);
    }
    if (live_route == NULL || frags_build(&frags, t, c0) != 0) {
        goto done;
    }
    cc.frags = &frags;
    for (i = 0; i < t->ngroups; i++) {
        if (t->groups[i].route >= 0) {
            live_route[t->groups[i].route] = 1;
        }
    }
#define ADD(n) if (mtw_doc_set_add(set, (n), &w, t->now) != 0) goto done
    if (what & MTW_DOCS_SCORE) {
        mtw_doc_score(&w, t, c);
        ADD("score");
        mtw_doc_routes(&w, t, c);
        ADD("routes");
        mtw_doc_overview(&w, t, c);
        ADD("overview");
    }
    if (what & MTW_DOCS_LIVE) {
        mtw_doc_realtime(&w, t, c);
        ADD("realtime");
    }
    for (i = 0; i < s->nroutes; i++) {
        if (!mtw_valid_doc_id(s->routes[i].id)) {
            continue;
        }
        if (what & MTW_DOCS_SCORE) {
            mtw_doc_route(&w, t, c, (uint32_t) i);
            snprintf(name, sizeof(name), "route:%s", s->routes[i].id);
            ADD(name);
        }
        if (what & MTW_DOCS_LIVE) {
            mtw_doc_route_activity(&w, t, c, (uint32_t) i);
            snprintf(name, sizeof(name), "route:%s:activity",
                     s->routes[i].id);
            ADD(name);
        }
        if ((what & MTW_DOCS_SCORE)
            || ((what & MTW_DOCS_LIVE)
                && (live_route[i] || (also_routes && also_routes[i]))))
        {
            mtw_doc_route_live(&w, t, c, (uint32_t) i);
            snprintf(name, sizeof(name), "route:%s:live", s->routes[i].id);
            ADD(name);
        }
    }
#undef ADD
    /* predictions are most of the bytes: four documents at a time, so
     * their ETags hash side by side (mtw_fnv1a64_x4) */
    for (i = 0; (what & MTW_DOCS_LIVE) && i < s->nstops;) {
        size_t batch[4];
        int nb = 0, k;

        for (; i < s->nstops && nb < 4; i++) {
            if ((t->stop_count[i] > 0 || (also_stops && also_stops[i]))
                && mtw_valid_doc_id(s->stops[i].id))
            {
                mtw_doc_predictions(&pw[nb], t, c, (uint32_t) i);
                batch[nb++] = i;
            }
        }
        if (nb == 0) {
            break;
        }
        {
            const void *data[4];
            size_t len[4];
            uint64_t h[4];
            char etag[20];

            for (k = 0; k < nb; k++) {
                data[k] = pw[k].buf;
                len[k] = pw[k].len;
            }
            mtw_fnv1a64_x4(data, len, nb, h);
            for (k = 0; k < nb; k++) {
                snprintf(etag, 19, "\"%016llx\"", (unsigned long long) h[k]);
                snprintf(name, sizeof(name), "predictions:%s",
                         s->stops[batch[k]].id);
                if (doc_add(set, name, &pw[k], t->now, etag) != 0) {
                    goto done;
                }
            }
        }
    }
    rc = 0;
done:
    mtw_jbuf_free(&w);
    for (i = 0; i < 4; i++) {
        mtw_jbuf_free(&pw[i]);
    }
    frags_free(&frags);
    free(live_route);
    return rc;
}
