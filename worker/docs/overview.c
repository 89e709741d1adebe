/*
 * overview.c - the city-wide documents: score, overview, and the cities
 * list.
 */
#include "docs/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_HEALTHY_SEC 300    /* reference §1.6: healthy iff age < 300 s */

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
        mtw_doc_jw_score_item(w, t, &t->groups[i]);
    }
    mtw_jw_arr_end(w);
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

/* top performers: grade best first, then more vehicles (reference §3.4) */
static int cmp_top(const void *a, const void *b, void *ctx)
{
    const mtw_tick *tick = ctx;
    const mtw_group_score *x = &tick->groups[*(const uint32_t *) a];
    const mtw_group_score *y = &tick->groups[*(const uint32_t *) b];

    if (x->grade != y->grade) {
        return x->grade < y->grade ? -1 : 1;
    }
    if (x->vehicles != y->vehicles) {
        return x->vehicles > y->vehicles ? -1 : 1;
    }
    return *(const uint32_t *) a < *(const uint32_t *) b ? -1 : 1;
}

/* needs attention: worst grade first, then fewer vehicles */
static int cmp_attention(const void *a, const void *b, void *ctx)
{
    const mtw_tick *tick = ctx;
    const mtw_group_score *x = &tick->groups[*(const uint32_t *) a];
    const mtw_group_score *y = &tick->groups[*(const uint32_t *) b];

    if (x->grade != y->grade) {
        return x->grade > y->grade ? -1 : 1;
    }
    if (x->vehicles != y->vehicles) {
        return x->vehicles < y->vehicles ? -1 : 1;
    }
    return *(const uint32_t *) a < *(const uint32_t *) b ? -1 : 1;
}

static int cmp_hist_best(const void *a, const void *b, void *ctx)
{
    const mtw_route_history *hist = ctx;
    const mtw_route_history *x = &hist[*(const uint32_t *) a];
    const mtw_route_history *y = &hist[*(const uint32_t *) b];

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
    mtw_sort_r(idx, n, sizeof(*idx), cmp_hist_best,
               (void *) c->history);
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

/* the network now in plain sentences, from the measured numbers */
static void overview_reading(char *out, size_t len, size_t nv, long nh,
                             long nb, long ngap, double otp, size_t natt,
                             const char *worst)
{
    size_t n;

    if (nv == 0) {
        snprintf(out, len, "No bus is reporting its position right now.");
        return;
    }
    n = (size_t) snprintf(out, len, "%zu bus%s running.", nv,
                          nv == 1 ? " is" : "es are");
    if (n < len && otp >= 0) {
        n += (size_t) snprintf(out + n, len - n, " Measured against the "
                               "timetable, %.1f %% are on time.", otp);
    }
    if (n < len && nh > 0) {
        n += (size_t) snprintf(out + n, len - n, " Gaps between buses "
                               "measured: %ld, of which %ld bunched and "
                               "%ld too long.", nh, nb, ngap);
    }
    if (n < len) {
        if (natt == 0) {
            snprintf(out + n, len - n, " No route needs attention.");
        } else if (worst != NULL && worst[0]) {
            snprintf(out + n, len - n, " Route %s needs attention most%s",
                     worst, natt > 1 ? ", with others listed below."
                                     : ".");
        } else {
            snprintf(out + n, len - n, " %zu route direction%s need%s "
                     "attention.", natt, natt == 1 ? "" : "s",
                     natt == 1 ? "s" : "");
        }
    }
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
    mtw_sort_r(top, ntop, sizeof(*top), cmp_top, (void *) t);
    mtw_sort_r(att, natt, sizeof(*att), cmp_attention, (void *) t);

    mtw_jw_obj(w);
    mtw_jw_kstr(w, "system_grade", mtw_grade_str(sys));
    mtw_jw_knum(w, "on_time_percentage", pct, 1);
    mtw_jw_kint(w, "active_vehicles", (int64_t) t->nv);
    mtw_jw_kint(w, "total_routes", (int64_t) t->s->nroutes);
    /* NaN (no two consecutive days of history) -> null */
    mtw_jw_knum(w, "change_vs_yesterday",
                c->history != NULL ? c->day_change : NAN, 1);
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
    {
        char reading[400];
        const mtw_route *worst = NULL;

        if (natt > 0) {
            long r = mtw_schedule_route(t->s, t->groups[att[0]].route_id);

            worst = r >= 0 ? &t->s->routes[r] : NULL;
        }
        overview_reading(reading, sizeof(reading), t->nv, nh, nb, ngap,
                         otp_n > 0 ? 100.0 * otp_ok / otp_n : -1, natt,
                         worst != NULL ? worst->short_name : NULL);
        mtw_jw_kstr(w, "insight", reading);
    }
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
