/*
 * shape.c - route shapes and their simplification (pure).
 */
#include "score/shape.h"
#include "score/geo.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

void mtw_shape_set_init(mtw_shape_set *set)
{
    memset(set, 0, sizeof(*set));
}

void mtw_shape_set_free(mtw_shape_set *set)
{
    size_t i;

    for (i = 0; i < set->nshapes; i++) {
        free(set->shapes[i].route_id);
        free(set->shapes[i].shape_id);
    }
    free(set->shapes);
    free(set->pts);
    memset(set, 0, sizeof(*set));
}

int mtw_shape_begin(mtw_shape_set *set, const char *route_id,
                    const char *shape_id, int direction)
{
    mtw_shape *s;

    if (mtw_grow((void **) &set->shapes, &set->cap_shapes, set->nshapes + 1,
             sizeof(*set->shapes)) != 0)
    {
        return -1;
    }
    s = &set->shapes[set->nshapes];
    s->route_id = strdup(route_id);
    s->shape_id = strdup(shape_id);
    if (s->route_id == NULL || s->shape_id == NULL) {
        free(s->route_id);
        free(s->shape_id);
        return -1;
    }
    s->direction = direction;
    s->first = set->npts;
    s->n = 0;
    set->nshapes++;
    return 0;
}

int mtw_shape_point(mtw_shape_set *set, double lat, double lon)
{
    if (set->nshapes == 0
        || mtw_grow((void **) &set->pts, &set->cap_pts, set->npts + 1,
                sizeof(*set->pts)) != 0)
    {
        return -1;
    }
    set->pts[set->npts].lat = lat;
    set->pts[set->npts].lon = lon;
    set->npts++;
    set->shapes[set->nshapes - 1].n++;
    set->raw_pts++;
    return 0;
}

void mtw_shape_end(mtw_shape_set *set, double tol_m)
{
    mtw_shape *s;
    unsigned char *keep;
    size_t i, k;

    if (set->nshapes == 0) {
        return;
    }
    s = &set->shapes[set->nshapes - 1];
    keep = malloc(s->n ? s->n : 1);
    if (keep == NULL) {
        return;                 /* kept whole: right, only bigger */
    }
    mtw_simplify(set->pts + s->first, s->n, tol_m, keep);
    for (i = 0, k = 0; i < s->n; i++) {
        if (keep[i]) {
            set->pts[s->first + k++] = set->pts[s->first + i];
        }
    }
    s->n = k;
    set->npts = s->first + k;
    free(keep);
}

size_t mtw_simplify(const mtw_latlon *pts, size_t n, double tol_m,
                    unsigned char *keep)
{
    size_t *stack, top = 0, a, b, i, far, kept = 0;
    double d, dmax, frac;

    if (n == 0) {
        return 0;
    }
    memset(keep, 0, n);
    keep[0] = 1;
    keep[n - 1] = 1;
    if (n <= 2) {
        return n;
    }
    /* each split pushes two ranges and pops one: n ranges at most */
    stack = malloc(2 * n * sizeof(*stack));
    if (stack == NULL) {
        memset(keep, 1, n);     /* nothing dropped: right, only bigger */
        return n;
    }
    stack[top++] = 0;
    stack[top++] = n - 1;
    while (top > 0) {
        b = stack[--top];
        a = stack[--top];
        dmax = -1;
        far = a;
        for (i = a + 1; i < b; i++) {
            d = mtw_project_segment(pts[i].lat, pts[i].lon, pts[a].lat,
                                    pts[a].lon, pts[b].lat, pts[b].lon,
                                    &frac);
            if (d > dmax) {
                dmax = d;
                far = i;
            }
        }
        if (far > a && dmax > tol_m) {
            keep[far] = 1;
            stack[top++] = a;
            stack[top++] = far;
            stack[top++] = far;
            stack[top++] = b;
        }
    }
    free(stack);
    for (i = 0; i < n; i++) {
        kept += keep[i];
    }
    return kept;
}
