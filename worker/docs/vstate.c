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

/* {"status","occupancy"[,"lat","lon"]}: what a prediction shows of the
 * bus; no position, no "lat" (the module answers current_location null) */
static void jw_vstate(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                      size_t vi)
{
    const mtw_vehicle *v = &t->l->vehicles[vi];

    mtw_jw_obj(w);
    mtw_doc_jw_status(w, t, c, (long) vi);
    mtw_doc_jw_occupancy(w, v);
    if (v->has_pos) {
        mtw_jw_knum(w, "lat", v->lat, 6);
        mtw_jw_knum(w, "lon", v->lon, 6);
    }
    mtw_jw_obj_end(w);
}

int mtw_doc_vstates_build(mtw_doc_vstates *vs, const mtw_tick *t,
                          const mtw_doc_ctx *c)
{
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
    for (i = 0; i < t->nv; i++) {
        if (vs->vid[i] == NULL) {
            continue;
        }
        vs->off[i] = vs->buf.len;
        vs->buf.need_comma = 0;
        jw_vstate(&vs->buf, t, c, i);
        vs->len[i] = vs->buf.len - vs->off[i];
    }
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
