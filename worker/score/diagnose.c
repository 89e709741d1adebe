/*
 * diagnose.c - realtime ids against the schedule (diagnose.h).
 */
#include "score/diagnose.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char **v;
    size_t n, cap;
} id_list;

static int list_add(id_list *l, const char *id)
{
    const char **v;

    if (id == NULL || id[0] == '\0') {
        return 0;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        v = realloc(l->v, l->cap * sizeof(*v));
        if (v == NULL) {
            return -1;
        }
        l->v = v;
    }
    l->v[l->n++] = id;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* the schedule's index of an id, or -1 when it has none */
typedef long (*index_fn)(const mtw_schedule *s, const char *id, int64_t now);

static long route_index(const mtw_schedule *s, const char *id, int64_t now)
{
    (void) now;
    return mtw_schedule_route(s, id);
}

static long stop_index(const mtw_schedule *s, const char *id, int64_t now)
{
    (void) now;
    return mtw_schedule_stop(s, id);
}

static long trip_index(const mtw_schedule *s, const char *id, int64_t now)
{
    return mtw_schedule_find_trip(s, id, 0, -1, now);
}

/*
 * The distinct ids of l against the schedule (n ids of its kind); empties
 * l.  A known id is counted once by its index (a feed's TripUpdates name
 * the same stops tens of thousands of times at scale: looked up, not
 * sorted); the unknown ones, few, are sorted for their count and the
 * first examples.
 */
static int check_ids(id_list *l, const mtw_schedule *s, int64_t now,
                     index_fn index_of, size_t n, mtw_id_check *out)
{
    unsigned char *seen = calloc(n + 1, 1);
    size_t i, nunknown = 0;
    long k;

    memset(out, 0, sizeof(*out));
    if (seen == NULL) {
        return -1;
    }
    for (i = 0; i < l->n; i++) {
        k = index_of(s, l->v[i], now);
        if (k >= 0 && (size_t) k < n) {
            out->seen += !seen[k];
            seen[k] = 1;
        } else {
            l->v[nunknown++] = l->v[i];
        }
    }
    free(seen);
    if (nunknown > 1) {
        qsort(l->v, nunknown, sizeof(*l->v), cmp_str);
    }
    for (i = 0; i < nunknown; i++) {
        if (i > 0 && strcmp(l->v[i - 1], l->v[i]) == 0) {
            continue;
        }
        out->seen++;
        if (out->nexamples < MTW_DIAG_EXAMPLES) {
            out->examples[out->nexamples++] = l->v[i];
        }
        out->unknown++;
    }
    l->n = 0;
    return 0;
}

int mtw_feed_diagnose(const mtw_schedule *s, const mtw_live *l, int64_t now,
                      mtw_feed_report *out)
{
    id_list routes = { 0 }, trips = { 0 }, stops = { 0 };
    size_t i;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < l->nvehicles; i++) {
        const mtw_vehicle *v = &l->vehicles[i];

        out->vehicles++;
        if (v->trip_id != NULL && v->trip_id[0] != '\0'
            && mtw_schedule_find_trip(s, v->trip_id, 0, -1, now) >= 0)
        {
            out->vehicles_matched++;
        }
        if (list_add(&routes, v->route_id) != 0
            || list_add(&trips, v->trip_id) != 0
            || list_add(&stops, v->stop_id) != 0)
        {
            goto done;
        }
    }
    for (i = 0; i < l->ntus; i++) {
        const mtw_trip_update *tu = &l->tus[i];
        uint32_t k;

        out->trip_updates++;
        if (list_add(&routes, tu->route_id) != 0
            || list_add(&trips, tu->trip_id) != 0)
        {
            goto done;
        }
        for (k = 0; k < tu->ev_count; k++) {
            if (list_add(&stops, l->events[tu->ev_first + k].stop_id) != 0) {
                goto done;
            }
        }
    }
    if (check_ids(&routes, s, now, route_index, s->nroutes, &out->routes) != 0
        || check_ids(&trips, s, now, trip_index, s->ntrips, &out->trips) != 0
        || check_ids(&stops, s, now, stop_index, s->nstops, &out->stops) != 0)
    {
        goto done;
    }
    rc = 0;
done:
    free(routes.v);
    free(trips.v);
    free(stops.v);
    return rc;
}
