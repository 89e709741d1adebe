/*
 * live.c - the realtime state of one city (see live.h).
 */
#include "score/live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

mtw_live *mtw_live_create(void)
{
    mtw_live *l = calloc(1, sizeof(*l));

    if (l == NULL) {
        return NULL;
    }
    l->arena = mtw_arena_create(64 * 1024);
    if (l->arena == NULL) {
        free(l);
        return NULL;
    }
    return l;
}

void mtw_live_free(mtw_live *l)
{
    if (l == NULL) {
        return;
    }
    free(l->vehicles);
    free(l->tus);
    free(l->events);
    free(l->alerts);
    mtw_idmap_clear(&l->tu_by_trip);
    mtw_arena_destroy(l->arena);
    free(l);
}

static void *live_push(void **arr, size_t *n, size_t *cap, size_t sz)
{
    void *p;

    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;

        p = realloc(*arr, ncap * sz);
        if (p == NULL) {
            return NULL;
        }
        *arr = p;
        *cap = ncap;
    }
    p = (char *) *arr + (*n)++ * sz;
    memset(p, 0, sz);
    return p;
}

const char *mtw_live_str(mtw_live *l, const char *s)
{
    return mtw_arena_strdup(l->arena, s);
}

mtw_vehicle *mtw_live_add_vehicle(mtw_live *l, const char *id,
                                  const char *trip_id, const char *route_id)
{
    mtw_vehicle *v = live_push((void **) &l->vehicles, &l->nvehicles,
                               &l->cap_vehicles, sizeof(*v));

    if (v == NULL) {
        return NULL;
    }
    v->id = mtw_live_str(l, id);
    v->trip_id = mtw_live_str(l, trip_id);
    v->route_id = mtw_live_str(l, route_id);
    v->direction = -1;
    v->bearing = NAN;
    v->speed = NAN;
    v->stop_status = MTW_VS_UNKNOWN;
    v->current_seq = -1;
    v->occupancy = -1;
    return v;
}

mtw_trip_update *mtw_live_add_tu(mtw_live *l, const char *trip_id,
                                 const char *route_id)
{
    mtw_trip_update *t = live_push((void **) &l->tus, &l->ntus,
                                   &l->cap_tus, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->trip_id = mtw_live_str(l, trip_id);
    t->route_id = mtw_live_str(l, route_id);
    t->direction = -1;
    t->ev_first = (uint32_t) l->nevents;
    return t;
}

mtw_stop_event *mtw_live_add_event(mtw_live *l, const char *stop_id)
{
    mtw_stop_event *e;

    if (l->ntus == 0) {
        return NULL;
    }
    e = live_push((void **) &l->events, &l->nevents, &l->cap_events,
                  sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    e->stop_id = mtw_live_str(l, stop_id);
    e->seq = -1;
    l->tus[l->ntus - 1].ev_count++;
    return e;
}

mtw_alert *mtw_live_add_alert(mtw_live *l)
{
    return live_push((void **) &l->alerts, &l->nalerts, &l->cap_alerts,
                     sizeof(mtw_alert));
}

int mtw_live_index(mtw_live *l)
{
    size_t i;

    mtw_idmap_clear(&l->tu_by_trip);
    if (mtw_idmap_init(&l->tu_by_trip, l->ntus) != 0) {
        return -1;
    }
    for (i = 0; i < l->ntus; i++) {
        if (l->tus[i].trip_id != NULL && l->tus[i].trip_id[0] != '\0'
            && mtw_idmap_put(&l->tu_by_trip, l->tus[i].trip_id,
                             (uint32_t) i) != 0)
        {
            return -1;
        }
    }
    return 0;
}

const mtw_trip_update *mtw_live_tu(const mtw_live *l, const char *trip_id)
{
    uint32_t i = mtw_idmap_get(&l->tu_by_trip, trip_id);

    return i == MTW_IDMAP_NONE ? NULL : &l->tus[i];
}

int64_t mtw_live_ts(const mtw_live *l)
{
    int64_t t = l->vehicles_ts;

    if (l->trips_ts > t) {
        t = l->trips_ts;
    }
    if (l->alerts_ts > t) {
        t = l->alerts_ts;
    }
    return t;
}
