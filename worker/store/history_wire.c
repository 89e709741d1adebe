/*
 * history_wire.c - history rows <-> JSON (see history_wire.h).
 */
#include "store/history_wire.h"

#include <jansson.h>
#include <string.h>

void mtw_histwire_arrival(mtw_jbuf *w, const mtw_arrival *a)
{
    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "k", "a");
    mtw_jw_kstr(w, "route", a->route_id);
    mtw_jw_kstr(w, "trip", a->trip_id);
    mtw_jw_kstr(w, "stop", a->stop_id);
    mtw_jw_kstr(w, "vehicle", a->vehicle_id);
    mtw_jw_kint(w, "date", a->service_date);
    mtw_jw_kint(w, "start", a->trip_start);
    mtw_jw_kint(w, "dir", a->direction);
    mtw_jw_kint(w, "seq", a->seq);
    mtw_jw_kint(w, "scheduled", a->scheduled_at);
    mtw_jw_kint(w, "arrived", a->arrived_at);
    mtw_jw_kint(w, "has_delay", a->has_delay);
    mtw_jw_kint(w, "delay", a->delay);
    mtw_jw_kstr(w, "src", mtw_arrival_source_str(a->source));
    mtw_jw_obj_end(w);
}

void mtw_histwire_bunching(mtw_jbuf *w, const mtw_bunching *b)
{
    int k;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_kstr(w, "k", "b");
    mtw_jw_kstr(w, "route", b->route_id);
    mtw_jw_kint(w, "dir", b->direction);
    mtw_jw_kstr(w, "stop", b->stop_id);
    mtw_jw_kint(w, "at", b->detected_at);
    mtw_jw_kint(w, "date", b->service_date);
    mtw_jw_kint(w, "headway", b->headway);
    mtw_jw_kint(w, "scheduled", b->scheduled);
    mtw_jw_kint(w, "resumable", b->resumable);
    mtw_jw_key(w, "vehicles");
    mtw_jw_arr(w);
    for (k = 0; k < b->nvehicles; k++) {
        mtw_jw_str(w, b->vehicle_ids[k]);
    }
    mtw_jw_arr_end(w);
    mtw_jw_obj_end(w);
}

static const char *str_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int int_of(json_t *o, const char *key, json_int_t *out)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_integer(v)) {
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

int mtw_histwire_parse(const char *text, size_t len, mtw_histq *q)
{
    json_t *o, *vs;
    const char *k;
    json_int_t n[9];
    int rc = 0;

    o = json_loadb(text, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return 0;
    }
    k = str_of(o, "k");
    if (k != NULL && strcmp(k, "a") == 0) {
        mtw_arrival a;
        const char *src;

        memset(&a, 0, sizeof(a));
        a.route_id = str_of(o, "route");
        a.trip_id = str_of(o, "trip");
        a.stop_id = str_of(o, "stop");
        a.vehicle_id = str_of(o, "vehicle");
        if (a.route_id && a.trip_id && a.stop_id && a.vehicle_id
            && int_of(o, "date", &n[0]) == 0 && int_of(o, "start", &n[1]) == 0
            && int_of(o, "dir", &n[2]) == 0 && int_of(o, "seq", &n[3]) == 0
            && int_of(o, "scheduled", &n[4]) == 0
            && int_of(o, "arrived", &n[5]) == 0
            && int_of(o, "has_delay", &n[6]) == 0
            && int_of(o, "delay", &n[7]) == 0)
        {
            a.service_date = (int) n[0];
            a.trip_start = (int32_t) n[1];
            a.direction = (int) n[2];
            a.seq = (int32_t) n[3];
            a.scheduled_at = n[4];
            a.arrived_at = n[5];
            a.has_delay = (int) n[6];
            a.delay = (int) n[7];
            /* rows mirrored before sources were told apart: sequences */
            src = str_of(o, "src");
            a.source = mtw_arrival_source_parse(src);
            rc = mtw_histq_add_arrivals(q, &a, 1) < 0 ? -1 : 1;
        }
    } else if (k != NULL && strcmp(k, "b") == 0) {
        mtw_bunching b;
        const char *ids[256];
        size_t i;

        memset(&b, 0, sizeof(b));
        b.route_id = str_of(o, "route");
        b.stop_id = str_of(o, "stop");
        vs = json_object_get(o, "vehicles");
        if (b.route_id && b.stop_id && json_is_array(vs)
            && json_array_size(vs) <= 256
            && int_of(o, "dir", &n[0]) == 0 && int_of(o, "at", &n[1]) == 0
            && int_of(o, "date", &n[2]) == 0
            && int_of(o, "headway", &n[3]) == 0
            && int_of(o, "scheduled", &n[4]) == 0
            && int_of(o, "resumable", &n[5]) == 0)
        {
            for (i = 0; i < json_array_size(vs); i++) {
                ids[i] = json_string_value(json_array_get(vs, i));
                if (ids[i] == NULL) {
                    json_decref(o);
                    return 0;
                }
            }
            b.direction = (int) n[0];
            b.detected_at = n[1];
            b.service_date = (int) n[2];
            b.headway = (int) n[3];
            b.scheduled = (int) n[4];
            b.resumable = (int) n[5];
            b.nvehicles = (int) json_array_size(vs);
            b.vehicle_ids = ids;
            rc = mtw_histq_add_bunching(q, &b, 1) < 0 ? -1 : 2;
        }
    }
    json_decref(o);
    return rc;
}
