/*
 * shape.h - route shapes for the maps: the GTFS shapes a route's trips
 * follow, simplified to what a map draws.
 *
 * Douglas–Peucker keeps the points that lie farther than a tolerance from
 * the line through the points kept around them; at 5 m a city's shapes
 * lose 80-95 % of their points and no drawn line moves by more than that.
 */
#ifndef MTW_SCORE_SHAPE_H
#define MTW_SCORE_SHAPE_H

#include <stddef.h>

#define MTW_SHAPE_TOLERANCE_M 5.0

typedef struct {
    double lat, lon;
} mtw_latlon;

typedef struct {
    char   *route_id;
    char   *shape_id;
    int     direction;          /* 0, 1, -1 unknown */
    size_t  first, n;           /* its points: pts[first .. first + n) */
} mtw_shape;

/* A city's shapes, grouped by route (route_id order), each simplified. */
typedef struct {
    mtw_shape  *shapes;
    size_t      nshapes, cap_shapes;
    mtw_latlon *pts;
    size_t      npts, cap_pts;
    size_t      raw_pts;        /* points before simplification */
} mtw_shape_set;

void mtw_shape_set_init(mtw_shape_set *set);
void mtw_shape_set_free(mtw_shape_set *set);

/* Starts a shape (copies the ids); 0, or -1 out of memory. */
int mtw_shape_begin(mtw_shape_set *set, const char *route_id,
                    const char *shape_id, int direction);
/* Adds a point to the shape begun last; 0, or -1 out of memory. */
int mtw_shape_point(mtw_shape_set *set, double lat, double lon);
/* Simplifies the shape begun last to tol_m metres. */
void mtw_shape_end(mtw_shape_set *set, double tol_m);

/*
 * Douglas–Peucker over pts[0 .. n): keep[i] = 1 for the points kept (the
 * two ends always), 0 for the others.  Returns how many are kept.  Pure;
 * iterative, so a shape of any length is safe.
 */
size_t mtw_simplify(const mtw_latlon *pts, size_t n, double tol_m,
                    unsigned char *keep);

#endif
