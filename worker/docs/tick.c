/*
 * tick.c - one tick's documents: which are made, shared fragments (see
 * mtw_docs_build_tick in docs.h).
 */
#include "docs/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        mtw_doc_jw_status_value(&f->buf, t, c, (long) i);
        f->len[i] = f->buf.len - f->off[i];
    }
    return f->buf.failed || (t->nv > 0 && f->buf.buf == NULL) ? -1 : 0;
}

/* whether the document name, made only of what inputs fingerprints, need
 * not be built: Redis holds it as built from the same inputs (0: unknown,
 * always built) */
static int doc_held(mtw_doc_set *set, const char *name, uint64_t inputs)
{
    if (inputs == 0 || set->held == NULL
        || !set->held(set->sink_ud, name, inputs))
    {
        return 0;
    }
    set->held_n++;
    return 1;
}

/* the same for a stop's predictions, asked by the stop's index: no name
 * is made for the nine in ten unchanged (a held one had a valid id when
 * it was written) */
static int doc_held_ix(mtw_doc_set *set, size_t ix, uint64_t inputs)
{
    if (inputs == 0 || set->held_ix == NULL
        || !set->held_ix(set->sink_ud, ix, inputs))
    {
        return 0;
    }
    set->held_n++;
    return 1;
}

/* the inputs of the documents made of the schedule alone: the memo
 * forgets every document with the schedule (jobs/doc_memo.h), so one
 * constant names them */
#define SCHEDULE_ONLY_INPUTS 1

void mtw_doc_bufs_free(mtw_doc_bufs *b)
{
    mtw_jbuf_free(&b->w);
    mtw_jbuf_free(&b->vids);
}

int mtw_docs_build_tick(mtw_doc_set *set, const mtw_tick *t,
                        const mtw_doc_ctx *c0, unsigned what,
                        const uint8_t *also_routes, const uint8_t *also_stops)
{
    const mtw_schedule *s = t->s;
    uint8_t *live_route = calloc(s->nroutes + 1, 1);
    mtw_doc_ctx cc = *c0, *c = &cc;
    mtw_doc_frags frags;
    mtw_doc_bufs own, *b = c0->bufs != NULL ? c0->bufs : &own;
    mtw_jbuf *w = &b->w;
    char name[160];
    size_t i;
    int rc = -1;

    memset(&frags, 0, sizeof(frags));
    memset(&own, 0, sizeof(own));
    if (live_route == NULL || frags_build(&frags, t, c0) != 0) {
        goto done;
    }
    cc.frags = &frags;
    for (i = 0; i < t->ngroups; i++) {
        if (t->groups[i].route >= 0) {
            live_route[t->groups[i].route] = 1;
        }
    }
    if (what & MTW_DOCS_SCORE) {
        mtw_doc_score(w, t, c);
        if (mtw_doc_set_add(set, "score", w, t->now) != 0) {
            goto done;
        }
        mtw_doc_routes(w, t, c);
        if (mtw_doc_set_add(set, "routes", w, t->now) != 0) {
            goto done;
        }
        mtw_doc_overview(w, t, c);
        if (mtw_doc_set_add(set, "overview", w, t->now) != 0) {
            goto done;
        }
        if (mtw_doc_feed_health(w, t, c) != 0
            || mtw_doc_set_add(set, "feed-health", w, t->now) != 0)
        {
            goto done;
        }
    }
    if (what & MTW_DOCS_LIVE) {
        mtw_doc_realtime(w, t, c);
        if (mtw_doc_set_add(set, "realtime", w, t->now) != 0) {
            goto done;
        }
    }
    for (i = 0; i < s->nroutes; i++) {
        if (!mtw_valid_doc_id(s->routes[i].id)) {
            continue;
        }
        if (what & MTW_DOCS_SCORE) {
            /* the history: made again only when it was loaded again */
            snprintf(name, sizeof(name), "route:%s", s->routes[i].id);
            if (!doc_held(set, name, c->history_loads)) {
                mtw_doc_route(w, t, c, (uint32_t) i);
                if (mtw_doc_set_add_tagged(set, name, w, t->now,
                                           c->history_loads, NULL, -1) != 0)
                {
                    goto done;
                }
            }
            mtw_doc_route_now(w, t, c, (uint32_t) i);
            snprintf(name, sizeof(name), "route:%s:now", s->routes[i].id);
            if (mtw_doc_set_add(set, name, w, t->now) != 0) {
                goto done;
            }
        }
        if (what & MTW_DOCS_LIVE) {
            mtw_doc_route_activity(w, t, c, (uint32_t) i);
            snprintf(name, sizeof(name), "route:%s:activity",
                     s->routes[i].id);
            if (mtw_doc_set_add(set, name, w, t->now) != 0) {
                goto done;
            }
        }
        if ((what & MTW_DOCS_SCORE)
            || ((what & MTW_DOCS_LIVE)
                && (live_route[i] || (also_routes && also_routes[i]))))
        {
            mtw_doc_route_live(w, t, c, (uint32_t) i);
            snprintf(name, sizeof(name), "route:%s:live", s->routes[i].id);
            if (mtw_doc_set_add(set, name, w, t->now) != 0) {
                goto done;
            }
            snprintf(name, sizeof(name), "route:%s:line", s->routes[i].id);
            if (!doc_held(set, name, SCHEDULE_ONLY_INPUTS)) {
                mtw_doc_route_line(w, s, (uint32_t) i);
                if (mtw_doc_set_add_tagged(set, name, w, t->now,
                                           SCHEDULE_ONLY_INPUTS, NULL,
                                           -1) != 0)
                {
                    goto done;
                }
            }
        }
    }
    for (i = 0; (what & MTW_DOCS_LIVE) && i < s->nstops; i++) {
        uint64_t inputs;

        if (t->stop_count[i] == 0 && !(also_stops && also_stops[i])) {
            continue;
        }
        inputs = set->held_ix != NULL
                 ? mtw_doc_predictions_inputs(t, c, (uint32_t) i) : 0;
        if (doc_held_ix(set, i, inputs)) {
            continue;
        }
        if (!mtw_valid_doc_id(s->stops[i].id)) {
            continue;
        }
        snprintf(name, sizeof(name), "predictions:%s", s->stops[i].id);
        mtw_doc_predictions(w, t, c, (uint32_t) i);
        mtw_doc_predictions_vids(&b->vids, t, c, (uint32_t) i);
        if (mtw_doc_set_add_tagged(set, name, w, t->now, inputs,
                                   b->vids.buf ? b->vids.buf : "",
                                   (long) i) != 0)
        {
            goto done;
        }
    }
    rc = 0;
done:
    mtw_doc_bufs_free(&own);
    frags_free(&frags);
    free(live_route);
    return rc;
}
