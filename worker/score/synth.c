/*
 * synth.c - a synthetic live state from the schedule (see synth.h).
 */
#include "score/synth.h"
#include "score/idmap.h"

#include <stdio.h>
#include <string.h>

/* delay in [-90, +510] s, skewed late like real buses */
static int synth_delay(const char *trip_id, uint32_t seed)
{
    uint64_t h = mtw_fnv1a64(trip_id, strlen(trip_id)) ^ seed;

    h *= 0x9e3779b97f4a7c15ULL;
    return (int) ((h >> 33) % 601) - 90;
}

mtw_live *mtw_live_synthetic(const mtw_schedule *s, int64_t now,
                             uint32_t seed, int tu_percent)
{
    mtw_live *l = mtw_live_create();
    size_t i;
    uint32_t k;

    if (l == NULL) {
        return NULL;
    }
    l->vehicles_ts = l->trips_ts = now;
    for (i = 0; i < s->ntrips; i++) {
        const mtw_trip *t = &s->trips[i];
        const mtw_stop_time *p = s->st + t->st_first;
        int d = synth_delay(t->id, seed ^ (uint32_t) t->start);
        int64_t at = now - d - t->base - t->shift;     /* pattern time */
        char vid[32];
        mtw_vehicle *v;

        if (at < p[0].dep || at >= p[t->st_count - 1].arr) {
            continue;                   /* not running now */
        }
        for (k = 0; k + 1 < t->st_count && p[k + 1].arr <= at; k++) {
        }
        snprintf(vid, sizeof(vid), "%u", (unsigned) (1000 + i));
        v = mtw_live_add_vehicle(l, vid, t->id, s->routes[t->route].id);
        if (v == NULL) {
            mtw_live_free(l);
            return NULL;
        }
        {
            const mtw_stop *a = &s->stops[p[k].stop];
            const mtw_stop *b = &s->stops[p[k + 1 < t->st_count ? k + 1
                                              : k].stop];
            double span = p[k + 1 < t->st_count ? k + 1 : k].arr - p[k].dep;
            double f = span > 0 ? (at - p[k].dep) / span : 0;

            if (f < 0) {
                f = 0;          /* dwelling at the stop */
            }
            if (f > 1) {
                f = 1;
            }
            v->has_pos = 1;
            v->lat = a->lat + f * (b->lat - a->lat);
            v->lon = a->lon + f * (b->lon - a->lon);
        }
        v->direction = t->direction;
        v->ts = now;
        if (t->freq) {
            char st[16];

            snprintf(st, sizeof(st), "%02d:%02d:%02d", t->start / 3600,
                     (t->start / 60) % 60, t->start % 60);
            v->start_time = mtw_live_str(l, st);
        }
        if ((int) (mtw_fnv1a64(vid, strlen(vid)) % 100) < tu_percent) {
            mtw_trip_update *tu = mtw_live_add_tu(l, t->id,
                                                  s->routes[t->route].id);

            if (tu == NULL) {
                mtw_live_free(l);
                return NULL;
            }
            tu->vehicle_id = mtw_live_str(l, vid);
            tu->ts = now;
            for (k = k + 1; k < t->st_count; k++) {
                mtw_stop_event *e = mtw_live_add_event(l,
                                                       s->stops[p[k].stop].id);

                if (e == NULL) {
                    mtw_live_free(l);
                    return NULL;
                }
                e->seq = p[k].seq;
                e->arr = mtw_trip_arr(t, &p[k]) + d;
                e->has_arr_delay = 1;
                e->arr_delay = d;
            }
        }
    }
    if (mtw_live_index(l) != 0) {
        mtw_live_free(l);
        return NULL;
    }
    return l;
}
