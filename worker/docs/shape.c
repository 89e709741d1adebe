/*
 * shape.c - the map documents: shapes (every route's simplified shapes,
 * for the system map) and route:{id}:shape (one route's, for its pages).
 */
#include "docs/internal.h"

#include <string.h>

/* the shapes of route_id in set: [*first, *first + n) of set->shapes */
static size_t route_shapes(const mtw_shape_set *set, const char *route_id,
                           size_t *first)
{
    size_t i, n = 0;

    for (i = 0; i < set->nshapes; i++) {
        if (strcmp(set->shapes[i].route_id, route_id) == 0) {
            if (n == 0) {
                *first = i;
            }
            n++;
        } else if (n > 0) {
            break;              /* the set is grouped by route */
        }
    }
    return n;
}

/* {"route_id","short_name","color","shapes":[{"shape_id","direction",
 *  "points":[[lat,lon],...]}] - the object left open for the caller */
static void jw_route_shapes(mtw_jbuf *w, const mtw_shape_set *set,
                            const mtw_route *r, size_t first, size_t n)
{
    size_t i, k;

    mtw_jw_obj(w);
    mtw_jw_kstr(w, "route_id", r->id);
    mtw_jw_kstr(w, "short_name", r->short_name);
    mtw_jw_kstr(w, "color", r->color);
    mtw_jw_key(w, "shapes");
    mtw_jw_arr(w);
    for (i = first; i < first + n; i++) {
        const mtw_shape *sh = &set->shapes[i];

        mtw_jw_obj(w);
        mtw_jw_kstr(w, "shape_id", sh->shape_id);
        if (sh->direction >= 0) {
            mtw_jw_kint(w, "direction", sh->direction);
        } else {
            mtw_jw_knull(w, "direction");
        }
        mtw_jw_key(w, "points");
        mtw_jw_arr(w);
        for (k = sh->first; k < sh->first + sh->n; k++) {
            /* 5 decimals: about a metre, under the simplification's 5 m */
            mtw_jw_arr(w);
            mtw_jw_num(w, set->pts[k].lat, 5);
            mtw_jw_num(w, set->pts[k].lon, 5);
            mtw_jw_arr_end(w);
        }
        mtw_jw_arr_end(w);
        mtw_jw_obj_end(w);
    }
    mtw_jw_arr_end(w);
}

void mtw_doc_shapes(mtw_jbuf *w, const mtw_schedule *s,
                    const mtw_shape_set *set, int64_t ts)
{
    size_t r, first = 0, n;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "routes");
    mtw_jw_arr(w);
    for (r = 0; r < s->nroutes; r++) {
        n = route_shapes(set, s->routes[r].id, &first);
        if (n > 0) {
            jw_route_shapes(w, set, &s->routes[r], first, n);
            mtw_jw_obj_end(w);
        }
    }
    mtw_jw_arr_end(w);
    mtw_jw_kint(w, "tolerance_m", (int64_t) MTW_SHAPE_TOLERANCE_M);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
}

void mtw_doc_route_shape(mtw_jbuf *w, const mtw_schedule *s,
                         const mtw_shape_set *set, uint32_t route, int64_t ts)
{
    size_t first = 0, n;

    n = route_shapes(set, s->routes[route].id, &first);
    mtw_jbuf_reset(w);
    jw_route_shapes(w, set, &s->routes[route], first, n);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
}
