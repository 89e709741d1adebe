/*
 * vstate.c - the vehicles' states the predictions documents join by id
 * (see mtw_doc_vstates in docs.h).
 */
#include "docs/internal.h"
#include "util/sort.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *id;
    uint32_t vi;
} vid_of;

static int vid_cmp(const void *a, const void *b)
{
    const vid_of *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    return c != 0 ? c : (x->vi > y->vi) - (x->vi < y->vi);
}

/* each vehicle's predictions along its trip: rows first[vi] .. last[vi]
 * (-1: none), their times at[off[vi] + row - first[vi]] (0: none) */
typedef struct {
    int *first, *last;
    size_t *off;
    int64_t *at;
} trip_times;

static int trip_times_count(const trip_times *tt, size_t vi)
{
    return tt->first[vi] < 0 ? 0 : tt->last[vi] - tt->first[vi] + 1;
}

static void trip_times_free(trip_times *tt)
{
    free(tt->first);
    free(tt->last);
    free(tt->off);
    free(tt->at);
}

static int trip_times_build(trip_times *tt, const mtw_tick *t)
{
    size_t i, total = 0;

    memset(tt, 0, sizeof(*tt));
    tt->first = malloc((t->nv + 1) * sizeof(*tt->first));
    tt->last = malloc((t->nv + 1) * sizeof(*tt->last));
    tt->off = malloc((t->nv + 1) * sizeof(*tt->off));
    if (tt->first == NULL || tt->last == NULL || tt->off == NULL) {
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        tt->first[i] = tt->last[i] = -1;
    }
    /* the span of rows of each bus's predictions (t->preds is by stop) */
    for (i = 0; i < t->npreds; i++) {
        const mtw_prediction *p = &t->preds[i];

        if (p->vehicle < 0 || p->row < 0) {
            continue;
        }
        if (tt->first[p->vehicle] < 0 || p->row < tt->first[p->vehicle]) {
            tt->first[p->vehicle] = p->row;
        }
        if (p->row > tt->last[p->vehicle]) {
            tt->last[p->vehicle] = p->row;
        }
    }
    for (i = 0; i < t->nv; i++) {
        tt->off[i] = total;
        total += (size_t) trip_times_count(tt, i);
    }
    tt->at = calloc(total + 1, sizeof(*tt->at));
    if (tt->at == NULL) {
        return -1;
    }
    for (i = 0; i < t->npreds; i++) {
        const mtw_prediction *p = &t->preds[i];

        if (p->vehicle >= 0 && p->row >= 0) {
            tt->at[tt->off[p->vehicle] + (size_t) (p->row
                                                   - tt->first[p->vehicle])]
                = p->arrival_at;
        }
    }
    return 0;
}

/* {"status","occupancy"[,"lat","lon"][,"row"][,"eta"]}: what a prediction
 * shows of the bus; no position, no "lat" (the module answers
 * current_location null); "row": the row of the stop it goes to next in
 * its trip (stops_away counts from it); "eta": {"row","at","dt"}, the
 * predicted arrival at row "row" + i is "at" + dt[i] (null: none) */
static void jw_vstate(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                      const trip_times *tt, size_t vi)
{
    const mtw_vehicle *v = &t->l->vehicles[vi];
    const int64_t *at = tt->at + tt->off[vi];
    int64_t at0 = 0;
    int k, n = trip_times_count(tt, vi);

    mtw_jw_obj(w);
    mtw_doc_jw_status(w, t, c, (long) vi);
    mtw_doc_jw_occupancy(w, v);
    if (v->has_pos) {
        mtw_jw_knum(w, "lat", v->lat, 6);
        mtw_jw_knum(w, "lon", v->lon, 6);
    }
    if (t->vs[vi].has_progress) {
        mtw_jw_kint(w, "row", t->vs[vi].next_row);
    }
    if (n > 0) {
        /* the first row is one of a prediction: it has a time */
        at0 = at[0];
        mtw_jw_key(w, "eta");
        mtw_jw_obj(w);
        mtw_jw_kint(w, "row", tt->first[vi]);
        mtw_jw_kint(w, "at", at0);
        mtw_jw_key(w, "dt");
        mtw_jw_arr(w);
        for (k = 0; k < n; k++) {
            if (at[k] != 0) {
                mtw_jw_int(w, at[k] - at0);
            } else {
                mtw_jw_null(w);
            }
        }
        mtw_jw_arr_end(w);
        mtw_jw_obj_end(w);
    }
    mtw_jw_obj_end(w);
}

int mtw_doc_vstates_build(mtw_doc_vstates *vs, const mtw_tick *t,
                          const mtw_doc_ctx *c)
{
    trip_times tt;
    vid_of *ids;
    size_t i, n = 0, j;

    memset(vs, 0, sizeof(*vs));
    mtw_jbuf_init(&vs->buf);
    vs->n = t->nv;
    vs->vid = calloc(t->nv + 1, sizeof(*vs->vid));
    vs->off = calloc(t->nv + 1, sizeof(*vs->off));
    vs->len = calloc(t->nv + 1, sizeof(*vs->len));
    ids = malloc((t->nv + 1) * sizeof(*ids));
    if (vs->vid == NULL || vs->off == NULL || vs->len == NULL || ids == NULL) {
        free(ids);
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        /* ids of the key alphabet: a space separates them in a list's
         * "vids" (docs/redis-contract.md) */
        if (mtw_valid_doc_id(t->l->vehicles[i].id)) {
            ids[n].id = t->l->vehicles[i].id;
            ids[n].vi = (uint32_t) i;
            n++;
        }
    }
    /* an id two vehicles share names neither: theirs stay inline, as do
     * those of other ids */
    mtw_sort(ids, n, sizeof(*ids), vid_cmp);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(ids[j].id, ids[i].id) == 0; j++) {
        }
        if (j == i + 1) {
            vs->vid[ids[i].vi] = ids[i].id;
        }
    }
    free(ids);
    if (trip_times_build(&tt, t) != 0) {
        trip_times_free(&tt);
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        if (vs->vid[i] == NULL) {
            continue;
        }
        vs->off[i] = vs->buf.len;
        vs->buf.need_comma = 0;
        jw_vstate(&vs->buf, t, c, &tt, i);
        vs->len[i] = vs->buf.len - vs->off[i];
    }
    trip_times_free(&tt);
    return vs->buf.failed ? -1 : 0;
}

void mtw_doc_vstates_free(mtw_doc_vstates *vs)
{
    mtw_jbuf_free(&vs->buf);
    free(vs->vid);
    free(vs->off);
    free(vs->len);
    memset(vs, 0, sizeof(*vs));
}
