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

typedef int (*known_fn)(const mtw_schedule *s, const char *id, int64_t now);

static int route_known(const mtw_schedule *s, const char *id, int64_t now)
{
    (void) now;
    return mtw_schedule_route(s, id) >= 0;
}

static int stop_known(const mtw_schedule *s, const char *id, int64_t now)
{
    (void) now;
    return mtw_schedule_stop(s, id) >= 0;
}

static int trip_known(const mtw_schedule *s, const char *id, int64_t now)
{
    return mtw_schedule_find_trip(s, id, 0, -1, now) >= 0;
}

/* distinct ids of l, each checked once; empties l */
static void check_ids(id_list *l, const mtw_schedule *s, int64_t now,
                      known_fn known, mtw_id_check *out)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    if (l->n > 1) {
        qsort(l->v, l->n, sizeof(*l->v), cmp_str);
    }
    for (i = 0; i < l->n; i++) {
        if (i > 0 && strcmp(l->v[i - 1], l->v[i]) == 0) {
            continue;
        }
        out->seen++;
        if (!known(s, l->v[i], now)) {
            if (out->nexamples < MTW_DIAG_EXAMPLES) {
                out->examples[out->nexamples++] = l->v[i];
            }
            out->unknown++;
        }
    }
    l->n = 0;
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
    check_ids(&routes, s, now, route_known, &out->routes);
    check_ids(&trips, s, now, trip_known, &out->trips);
    check_ids(&stops, s, now, stop_known, &out->stops);
    rc = 0;
done:
    free(routes.v);
    free(trips.v);
    free(stops.v);
    return rc;
}
