/*
 * test_feed.c - snapshot model, hostile and truncated bodies,
 * reference/rich JSON, and the ingestion state machine (backoff, stale,
 * backwards headers).  The arena's and the JSON writer's tests are in
 * test_util.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "feed/decode.h"
#include "util/arena.h"
#include "util/jbuf.h"
#include "feed/pbjson.h"
#include "feed/rtjson.h"
#include "feed/snapshot.h"
#include "gtfs-realtime.pb-c.h"
#include "jobs/ingest.h"

typedef struct {
    uint8_t *bytes;
    size_t   len;
} packed;

static packed build_feed(uint64_t ts)
{
    TransitRealtime__FeedMessage m = TRANSIT_REALTIME__FEED_MESSAGE__INIT;
    TransitRealtime__FeedHeader h = TRANSIT_REALTIME__FEED_HEADER__INIT;
    TransitRealtime__FeedEntity e[4], *ep[4];
    TransitRealtime__VehiclePosition vp = TRANSIT_REALTIME__VEHICLE_POSITION__INIT;
    TransitRealtime__VehiclePosition vp2 = TRANSIT_REALTIME__VEHICLE_POSITION__INIT;
    TransitRealtime__Position pos = TRANSIT_REALTIME__POSITION__INIT;
    TransitRealtime__TripDescriptor td = TRANSIT_REALTIME__TRIP_DESCRIPTOR__INIT;
    TransitRealtime__TripDescriptor td2 = TRANSIT_REALTIME__TRIP_DESCRIPTOR__INIT;
    TransitRealtime__VehicleDescriptor vd = TRANSIT_REALTIME__VEHICLE_DESCRIPTOR__INIT;
    TransitRealtime__TripUpdate tu = TRANSIT_REALTIME__TRIP_UPDATE__INIT;
    TransitRealtime__TripUpdate__StopTimeUpdate su[2], *sup[2];
    TransitRealtime__TripUpdate__StopTimeEvent arr = TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_EVENT__INIT;
    TransitRealtime__TripUpdate__StopTimeEvent dep = TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_EVENT__INIT;
    TransitRealtime__Alert al = TRANSIT_REALTIME__ALERT__INIT;
    TransitRealtime__EntitySelector sel = TRANSIT_REALTIME__ENTITY_SELECTOR__INIT, *selp[1];
    TransitRealtime__TranslatedString hdr = TRANSIT_REALTIME__TRANSLATED_STRING__INIT;
    TransitRealtime__TranslatedString__Translation tr[2], *trp[2];
    packed p;
    int i;

    for (i = 0; i < 4; i++) {
        transit_realtime__feed_entity__init(&e[i]);
        ep[i] = &e[i];
    }
    h.gtfs_realtime_version = "2.0";
    h.has_timestamp = 1;
    h.timestamp = ts;
    m.header = &h;
    m.n_entity = 4;
    m.entity = ep;

    td.trip_id = "T1";
    td.route_id = "R9";
    td.has_direction_id = 1;
    td.direction_id = 1;
    vd.id = "bus-7";
    vd.label = "7";
    pos.latitude = 52.5f;
    pos.longitude = -106.25f;
    pos.has_bearing = 1;
    pos.bearing = 90.0f;
    vp.trip = &td;
    vp.vehicle = &vd;
    vp.position = &pos;
    vp.has_current_status = 1;
    vp.current_status = TRANSIT_REALTIME__VEHICLE_POSITION__VEHICLE_STOP_STATUS__STOPPED_AT;
    vp.stop_id = "S2";
    vp.has_occupancy_status = 1;
    vp.occupancy_status = TRANSIT_REALTIME__VEHICLE_POSITION__OCCUPANCY_STATUS__FEW_SEATS_AVAILABLE;
    e[0].id = "e1";
    e[0].vehicle = &vp;

    vp2.trip = &td2;        /* a trip descriptor without ids, no position */
    e[1].id = "e2";
    e[1].vehicle = &vp2;

    for (i = 0; i < 2; i++) {
        transit_realtime__trip_update__stop_time_update__init(&su[i]);
        sup[i] = &su[i];
    }
    arr.has_delay = 1;
    arr.delay = 120;
    arr.has_time = 1;
    arr.time = 1000;
    su[0].stop_id = "S1";
    su[0].has_stop_sequence = 1;
    su[0].stop_sequence = 1;
    su[0].arrival = &arr;
    dep.has_delay = 1;              /* departure with a delay only */
    dep.delay = 30;
    su[1].stop_id = "S2";
    su[1].departure = &dep;
    su[1].has_schedule_relationship = 1;
    su[1].schedule_relationship = TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__SCHEDULE_RELATIONSHIP__SKIPPED;
    tu.trip = &td;
    tu.n_stop_time_update = 2;
    tu.stop_time_update = sup;
    e[2].id = "e3";
    e[2].trip_update = &tu;

    for (i = 0; i < 2; i++) {
        transit_realtime__translated_string__translation__init(&tr[i]);
        trp[i] = &tr[i];
    }
    tr[0].text = "Détour";
    tr[0].language = "fr";
    tr[1].text = "Detour";
    tr[1].language = "en";
    hdr.n_translation = 2;
    hdr.translation = trp;
    sel.route_id = "R9";
    sel.stop_id = "S1";
    selp[0] = &sel;
    al.n_informed_entity = 1;
    al.informed_entity = selp;
    al.has_effect = 1;
    al.effect = TRANSIT_REALTIME__ALERT__EFFECT__DETOUR;
    al.header_text = &hdr;
    e[3].id = "e4";
    e[3].alert = &al;

    p.len = transit_realtime__feed_message__get_packed_size(&m);
    p.bytes = malloc(p.len);
    assert_non_null(p.bytes);
    transit_realtime__feed_message__pack(&m, p.bytes);
    return p;
}

static void test_snapshot_model(void **state)
{
    packed p = build_feed(5000);
    mtw_snapshot s;
    char err[128];
    const mtw_rt_trip_update *t;

    (void) state;
    mtw_snapshot_init(&s, MTW_FEED_VEHICLES);
    assert_int_equal(mtw_snapshot_decode(&s, p.bytes, p.len, 99, err,
                                         sizeof(err)), 0);
    assert_int_equal(s.header_ts, 5000);
    assert_int_equal(s.n_entities, 4);
    assert_int_equal(s.n_vehicles, 2);
    assert_int_equal(s.n_trips, 1);
    assert_int_equal(s.n_alerts, 1);
    assert_string_equal(s.vehicles[0].vehicle_id, "bus-7");
    assert_string_equal(s.vehicles[0].entity_id, "e1");
    assert_int_equal(s.vehicles[0].ts, 5000);       /* header fallback */
    assert_int_equal(s.vehicles[0].trip.direction_id, 1);
    assert_int_equal(s.vehicles[0].stop_status, 1);
    assert_string_equal(s.vehicles[1].vehicle_id, "e2");
    assert_false(s.vehicles[1].has_position);
    t = mtw_snapshot_find_trip(&s, "T1");
    assert_non_null(t);
    assert_int_equal(t->n_stops, 2);
    assert_int_equal(t->stops[0].arr.delay, 120);
    assert_false(t->stops[1].dep.has_time);
    assert_int_equal(t->stops[1].rel, 1);
    assert_null(mtw_snapshot_find_trip(&s, "nope"));
    assert_int_equal(s.alerts[0].effect, 4);
    assert_int_equal(s.alerts[0].cause, 1);         /* spec default */
    assert_int_equal(s.alerts[0].header.n, 2);
    assert_string_equal(mtw_rt_enum_name("occupancy", 2),
                        "FEW_SEATS_AVAILABLE");
    assert_null(mtw_rt_enum_name("occupancy", -1));
    assert_null(mtw_rt_enum_name("nonsense", 1));

    /* garbage: error, snapshot invalid */
    assert_int_equal(mtw_snapshot_decode(&s, (const uint8_t *) "\xff\xff\xff",
                                         3, 99, err, sizeof(err)), -1);
    assert_false(s.valid);
    assert_int_equal(mtw_snapshot_decode(&s, p.bytes, 0, 99, err,
                                         sizeof(err)), -1);
    assert_string_equal(err, "empty body");
    mtw_snapshot_free(&s);
    free(p.bytes);
}

/* A header and n entities of 4 bytes each ("\x12\x02\x0a\x00": entity
 * with an empty id): the cheapest entity on the wire, the dearest decoded */
static packed tiny_entities(size_t n)
{
    static const uint8_t header[] = { 0x0a, 0x05, 0x0a, 0x03, '2', '.', '0' };
    packed p;
    size_t i;

    p.len = sizeof(header) + 4 * n;
    p.bytes = malloc(p.len);
    assert_non_null(p.bytes);
    memcpy(p.bytes, header, sizeof(header));
    for (i = 0; i < n; i++) {
        memcpy(p.bytes + sizeof(header) + 4 * i, "\x12\x02\x0a\x00", 4);
    }
    return p;
}

/* Issue 10: an 8 MiB feed of tiny entities took 344 MB.  Entities are
 * counted on the wire and refused past the cap before protobuf-c
 * allocates them; the decoded size is bounded by the body's. */
static void test_hostile_feed_limits(void **state)
{
    packed ok = build_feed(5000), many = tiny_entities(150000);
    mtw_snapshot s;
    char err[160];

    (void) state;
    assert_int_equal(mtw_feed_count_entities(ok.bytes, ok.len), 4);
    assert_int_equal(mtw_feed_count_entities(many.bytes, many.len), 150000);
    assert_int_equal(mtw_feed_count_entities((const uint8_t *) "\x12\x09",
                                             2), -1);  /* truncated */
    assert_int_equal(mtw_feed_count_entities((const uint8_t *) "\x13", 1),
                     -1);                              /* a group */

    mtw_snapshot_init(&s, MTW_FEED_VEHICLES);
    assert_int_equal(s.max_entities, MTW_SNAPSHOT_MAX_ENTITIES);
    assert_int_equal(mtw_snapshot_decode(&s, many.bytes, many.len, 99, err,
                                         sizeof(err)), -1);
    assert_non_null(strstr(err, "150000 entities, more than the 100000"));
    assert_true(mtw_arena_used(&s.arena) < 4096);      /* nothing unpacked */

    /* under the entity cap, the memory cap relative to the body refuses
     * what decodes to more than 32 bytes a byte (plus 1 MiB) */
    s.max_entities = 1000000;
    assert_int_equal(mtw_snapshot_decode(&s, many.bytes, many.len, 99, err,
                                         sizeof(err)), -1);
    assert_non_null(strstr(err, "of memory: refused"));

    /* and a good feed decodes again in the same snapshot afterwards */
    assert_int_equal(mtw_snapshot_decode(&s, ok.bytes, ok.len, 99, err,
                                         sizeof(err)), 0);
    assert_int_equal(s.n_vehicles, 2);
    mtw_snapshot_free(&s);
    free(ok.bytes);
    free(many.bytes);
}

/*
 * Truncated and garbage bodies, every kind of snapshot: each prefix of a
 * good feed and a few thousand seeded mutations (a byte replaced, a bit
 * flipped, a run of 0xff) decode or fail with a reason, never crash (the
 * ASan lane runs this too), and the snapshot decodes a good feed after.
 */
static void test_truncated_and_garbage(void **state)
{
    static const mtw_feed_kind kinds[] = {
        MTW_FEED_VEHICLES, MTW_FEED_TRIPS, MTW_FEED_ALERTS
    };
    packed ok = build_feed(5000);
    uint8_t *buf = malloc(ok.len);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    mtw_snapshot s;
    char err[160];
    size_t k, n, i, failed = 0;
    int rc;

    (void) state;
    assert_non_null(buf);
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        mtw_snapshot_init(&s, kinds[k]);
        for (n = 0; n < ok.len; n++) {
            memcpy(buf, ok.bytes, n);
            err[0] = '\0';
            rc = mtw_snapshot_decode(&s, buf, n, 99, err, sizeof(err));
            assert_true(rc == 0 || (rc == -1 && err[0] != '\0'));
            failed += rc != 0;
        }
        for (i = 0; i < 3000; i++) {
            memcpy(buf, ok.bytes, ok.len);
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            n = (size_t) (x % ok.len);
            switch (i % 3) {
            case 0: buf[n] = (uint8_t) (x >> 32); break;
            case 1: buf[n] ^= (uint8_t) (1u << ((x >> 40) & 7)); break;
            default:
                memset(buf + n, 0xff, ok.len - n < 8 ? ok.len - n : 8);
                break;
            }
            err[0] = '\0';
            rc = mtw_snapshot_decode(&s, buf, ok.len, 99, err, sizeof(err));
            assert_true(rc == 0 || (rc == -1 && err[0] != '\0'));
            failed += rc != 0;
        }
        assert_int_equal(mtw_snapshot_decode(&s, ok.bytes, ok.len, 99, err,
                                             sizeof(err)), 0);
        mtw_snapshot_free(&s);
    }
    assert_true(failed > 100);      /* the battery does reach the errors */
    free(buf);
    free(ok.bytes);
}

static void test_reference_and_rich_json(void **state)
{
    packed p = build_feed(5000);
    mtw_snapshot s;
    mtw_jbuf w;
    char err[128];

    (void) state;
    mtw_snapshot_init(&s, MTW_FEED_VEHICLES);
    assert_int_equal(mtw_snapshot_decode(&s, p.bytes, p.len, 99, err,
                                         sizeof(err)), 0);
    mtw_jbuf_init(&w);
    /* vehicles without a position are left out, as the reference does */
    mtw_rtjson_reference(&w, &s);
    assert_string_equal(w.buf,
        "[{\"id\":\"e1\",\"trip\":\"T1\",\"route\":\"R9\",\"lat\":52.5,"
        "\"lon\":-106.25,\"bearing\":90.0,\"speed\":null,\"ts\":5000}]");
    s.kind = MTW_FEED_TRIPS;
    mtw_jbuf_reset(&w);
    mtw_rtjson_reference(&w, &s);
    /* arr null without a time (the reference wrote 0); departure delay
     * used when there is no arrival delay */
    assert_string_equal(w.buf,
        "[{\"trip\":\"T1\",\"route\":\"R9\",\"rel\":0,\"stops\":["
        "{\"stop_id\":\"S1\",\"seq\":1,\"arr\":1000,\"dep\":null,"
        "\"delay\":120,\"rel\":0},"
        "{\"stop_id\":\"S2\",\"seq\":0,\"arr\":null,\"dep\":null,"
        "\"delay\":30,\"rel\":1}]}]");
    s.kind = MTW_FEED_ALERTS;
    mtw_jbuf_reset(&w);
    mtw_rtjson_reference(&w, &s);
    assert_string_equal(w.buf, "[{\"cause\":1,\"effect\":4}]");
    mtw_jbuf_reset(&w);
    mtw_rtjson_rich(&w, &s, 1, 42);
    assert_non_null(strstr(w.buf, "\"stale\":true,\"age_sec\":42"));
    assert_non_null(strstr(w.buf, "\"effect\":\"DETOUR\""));
    assert_non_null(strstr(w.buf, "\"header\":\"Detour\""));   /* English */
    assert_non_null(strstr(w.buf, "\"header_i18n\":[{\"lang\":\"fr\""));
    assert_non_null(strstr(w.buf, "\"informed\":[{\"route_id\":\"R9\","
                                   "\"stop_id\":\"S1\"}]"));
    s.kind = MTW_FEED_TRIPS;
    mtw_jbuf_reset(&w);
    mtw_rtjson_rich(&w, &s, 0, 0);
    assert_non_null(strstr(w.buf, "\"arr\":{\"time\":1000,\"delay\":120}"));
    assert_non_null(strstr(w.buf, "\"rel\":\"SKIPPED\""));
    s.kind = MTW_FEED_VEHICLES;
    mtw_jbuf_reset(&w);
    mtw_rtjson_rich(&w, &s, 0, 0);
    assert_non_null(strstr(w.buf, "\"id\":\"bus-7\",\"entity_id\":\"e1\""));
    assert_non_null(strstr(w.buf, "\"stop_status\":\"STOPPED_AT\""));
    assert_non_null(strstr(w.buf, "\"occupancy\":\"FEW_SEATS_AVAILABLE\""));
    assert_non_null(strstr(w.buf, "\"direction_id\":1"));
    assert_false(w.failed);
    mtw_jbuf_free(&w);
    mtw_snapshot_free(&s);
    free(p.bytes);
}

static void test_pbjson_enum_names(void **state)
{
    packed p = build_feed(7);
    TransitRealtime__FeedMessage *m;
    mtw_jbuf w;

    (void) state;
    m = transit_realtime__feed_message__unpack(NULL, p.len, p.bytes);
    assert_non_null(m);
    mtw_jbuf_init(&w);
    mtw_pbjson_message(&w, &m->base);
    assert_non_null(strstr(w.buf, "\"header\":{\"gtfs_realtime_version\":"
                                   "\"2.0\",\"timestamp\":7}"));
    assert_non_null(strstr(w.buf, "\"current_status\":\"STOPPED_AT\""));
    assert_non_null(strstr(w.buf, "\"schedule_relationship\":\"SKIPPED\""));
    assert_non_null(strstr(w.buf, "\"effect\":\"DETOUR\""));
    /* unset optional fields with defaults are not printed */
    assert_null(strstr(w.buf, "\"cause\""));
    mtw_jbuf_free(&w);
    transit_realtime__feed_message__free_unpacked(m, NULL);
    free(p.bytes);
}

/* --- ingestion state machine --------------------------------------------------- */

static void fake_fetch(mtw_feed_state *f, mtw_fetch_result r,
                       const packed *body, const char *error)
{
    f->fetch->result = r;
    f->fetch->len = 0;
    if (body != NULL) {
        if (f->fetch->cap < body->len) {
            f->fetch->body = realloc(f->fetch->body, body->len);
            f->fetch->cap = body->len;
        }
        memcpy(f->fetch->body, body->bytes, body->len);
        f->fetch->len = body->len;
    }
    snprintf(f->fetch->error, sizeof(f->fetch->error), "%s",
             error ? error : "");
}

static void test_ingest_state(void **state)
{
    mtw_ingest_opts o;
    mtw_city_spec spec;
    mtw_city c;
    mtw_feed_state *f;
    packed p1 = build_feed(1000), p0 = build_feed(900);
    packed junk = { (uint8_t *) "\x0a\xff", 2 };

    (void) state;
    memset(&o, 0, sizeof(o));
    o.poll_ms[0] = o.poll_ms[1] = o.poll_ms[2] = 1000;
    o.backoff_max_ms = 5000;
    o.feed_clock = 1;
    memset(&spec, 0, sizeof(spec));
    strcpy(spec.slug, "t");
    strcpy(spec.url[MTW_FEED_VEHICLES], "http://127.0.0.1:9/v.pb");
    assert_int_equal(mtw_city_init(&c, &spec, &o, 0), 0);
    f = &c.feed[MTW_FEED_VEHICLES];
    assert_null(c.feed[MTW_FEED_TRIPS].fetch);

    fake_fetch(f, MTW_FETCH_OK, &p1, NULL);
    mtw_city_fetched(&c, f, &o, 0, 2000);
    assert_non_null(mtw_feed_good(f));
    assert_int_equal(mtw_feed_good(f)->header_ts, 1000);
    assert_int_equal(mtw_city_now(&c, &o, 2000), 1000);     /* feed clock */
    assert_false(mtw_feed_stale(f, 1000));
    assert_int_equal(mtw_feed_age(f, 1030), 30);
    assert_true(mtw_feed_stale(f, 1061));                   /* > 60 s */
    assert_non_null(strstr(f->ref_json.buf, "\"id\":\"e1\""));

    /* garbage: keeps the good snapshot, failing, backoff doubles */
    fake_fetch(f, MTW_FETCH_OK, &junk, NULL);
    mtw_city_fetched(&c, f, &o, 10000, 2000);
    assert_int_equal(mtw_feed_good(f)->header_ts, 1000);
    assert_true(f->failing);
    assert_true(mtw_feed_stale(f, 1000));
    assert_int_equal(f->next_ms, 10000 + 2000);
    fake_fetch(f, MTW_FETCH_ERROR, NULL, "HTTP status 503");
    mtw_city_fetched(&c, f, &o, 20000, 2000);
    assert_int_equal(f->next_ms, 20000 + 4000);
    assert_string_equal(f->error, "HTTP status 503");
    fake_fetch(f, MTW_FETCH_ERROR, NULL, "HTTP status 503");
    mtw_city_fetched(&c, f, &o, 30000, 2000);
    assert_int_equal(f->next_ms, 30000 + 5000);             /* capped */
    assert_int_equal(mtw_feed_good(f)->header_ts, 1000);

    /* 304: success, snapshot unchanged */
    fake_fetch(f, MTW_FETCH_NOT_MODIFIED, NULL, NULL);
    mtw_city_fetched(&c, f, &o, 40000, 2000);
    assert_false(f->failing);
    assert_int_equal(f->fails, 0);
    assert_string_equal(f->error, "");
    assert_int_equal(f->not_modified, 1);

    /* an older header: ignored, good kept, not a transport failure */
    fake_fetch(f, MTW_FETCH_OK, &p0, NULL);
    mtw_city_fetched(&c, f, &o, 50000, 2000);
    assert_int_equal(mtw_feed_good(f)->header_ts, 1000);
    assert_non_null(strstr(f->error, "backwards"));
    assert_false(f->failing);

    /* and a newer one swaps in */
    fake_fetch(f, MTW_FETCH_OK, &p1, NULL);
    mtw_city_fetched(&c, f, &o, 60000, 2000);
    assert_int_equal(f->decoded, 2);
    assert_string_equal(f->error, "");

    mtw_city_free(&c, NULL);
    free(p1.bytes);
    free(p0.bytes);
}

/* every feed is asked at once on start; nothing is published until each
 * has answered or failed once, or MTW_CITY_SETTLE_MS passed */
static void test_city_settles(void **state)
{
    mtw_ingest_opts o;
    mtw_city_spec spec;
    mtw_city c;
    packed p1 = build_feed(1000);

    (void) state;
    memset(&o, 0, sizeof(o));
    o.poll_ms[0] = o.poll_ms[1] = o.poll_ms[2] = 3000;
    o.backoff_max_ms = 5000;
    memset(&spec, 0, sizeof(spec));
    strcpy(spec.slug, "t");
    strcpy(spec.url[MTW_FEED_VEHICLES], "http://127.0.0.1:9/v.pb");
    strcpy(spec.url[MTW_FEED_TRIPS], "http://127.0.0.1:9/t.pb");
    assert_int_equal(mtw_city_init(&c, &spec, &o, 500), 0);
    assert_int_equal(c.feed[MTW_FEED_VEHICLES].next_ms, 500);
    assert_int_equal(c.feed[MTW_FEED_TRIPS].next_ms, 500);
    assert_int_equal(c.feed[MTW_FEED_TRIPS].stagger_ms, 1000);
    assert_false(mtw_city_settled(&c, 600));

    fake_fetch(&c.feed[MTW_FEED_VEHICLES], MTW_FETCH_OK, &p1, NULL);
    mtw_city_fetched(&c, &c.feed[MTW_FEED_VEHICLES], &o, 700, 2000);
    assert_false(mtw_city_settled(&c, 700));        /* trips not yet */
    assert_true(mtw_city_settled(&c, 500 + MTW_CITY_SETTLE_MS));

    fake_fetch(&c.feed[MTW_FEED_TRIPS], MTW_FETCH_ERROR, NULL, "timeout");
    mtw_city_fetched(&c, &c.feed[MTW_FEED_TRIPS], &o, 800, 2000);
    assert_true(mtw_city_settled(&c, 800));         /* a failure answers */

    mtw_city_free(&c, NULL);
    free(p1.bytes);
}

static void test_slugs(void **state)
{
    (void) state;
    assert_true(mtw_city_slug_valid("saskatoon"));
    assert_true(mtw_city_slug_valid("st-john-s2"));
    assert_false(mtw_city_slug_valid(""));
    assert_false(mtw_city_slug_valid("Saskatoon"));
    assert_false(mtw_city_slug_valid("a:b"));
    assert_false(mtw_city_slug_valid("abcdefghijklmnopqrstuvwxyz0123456"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_model),
        cmocka_unit_test(test_hostile_feed_limits),
        cmocka_unit_test(test_truncated_and_garbage),
        cmocka_unit_test(test_reference_and_rich_json),
        cmocka_unit_test(test_pbjson_enum_names),
        cmocka_unit_test(test_ingest_state),
        cmocka_unit_test(test_city_settles),
        cmocka_unit_test(test_slugs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
