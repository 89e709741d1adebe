/*
 * ingest.c - feed scheduling, backoff, snapshot swap and staleness.
 */
#include "jobs/ingest.h"
#include "docs/docs.h"
#include "feed/rtjson.h"
#include "util/cli.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mtw_city_slug_valid(const char *slug)
{
    size_t i, n = strlen(slug);

    if (n == 0 || n > MTW_CITY_SLUG_MAX) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!((slug[i] >= 'a' && slug[i] <= 'z')
              || (slug[i] >= '0' && slug[i] <= '9') || slug[i] == '-'))
        {
            return 0;
        }
    }
    return 1;
}

/* Optional env number of seconds (fractional) -> ms. */
static int env_ms(const char *name, double min_s, double max_s, long *out,
                  char *err, size_t errlen)
{
    const char *v = getenv(name);
    double d;

    if (v == NULL || *v == '\0') {
        return 0;
    }
    if (mtw_cli_parse_double(v, min_s, max_s, &d) != 0) {
        snprintf(err, errlen, "%s must be a number of seconds between %g "
                 "and %g, not '%s'", name, min_s, max_s, v);
        return -1;
    }
    *out = (long) (d * 1000.0 + 0.5);
    return 1;
}

int mtw_ingest_opts_load(mtw_ingest_opts *o, int poll_sec, int feed_clock,
                         char *err, size_t errlen)
{
    const char *v;
    long n;
    memset(o, 0, sizeof(*o));
    o->feed_clock = feed_clock;
    o->poll_ms[MTW_FEED_VEHICLES] = poll_sec * 1000L;
    v = getenv("MTW_POLL_MS");
    if (v != NULL && *v != '\0') {
        if (mtw_cli_parse_long(v, 50, 3600000, &n) != 0) {
            snprintf(err, errlen, "MTW_POLL_MS must be a whole number of "
                     "milliseconds between 50 and 3600000, not '%s'", v);
            return -1;
        }
        o->poll_ms[MTW_FEED_VEHICLES] = n;
    }
    o->poll_ms[MTW_FEED_TRIPS] = o->poll_ms[MTW_FEED_VEHICLES];
    o->poll_ms[MTW_FEED_ALERTS] = o->poll_ms[MTW_FEED_VEHICLES] > 30000
                                  ? o->poll_ms[MTW_FEED_VEHICLES] : 30000;
    o->backoff_max_ms = 120000;
    o->lease_ms = 30000;
    if (env_ms("MTW_TRIPS_POLL_SEC", 0.05, 3600, &o->poll_ms[MTW_FEED_TRIPS],
               err, errlen) < 0
        || env_ms("MTW_ALERTS_POLL_SEC", 0.05, 3600,
                  &o->poll_ms[MTW_FEED_ALERTS], err, errlen) < 0
        || env_ms("MTW_BACKOFF_MAX_SEC", 0.05, 86400, &o->backoff_max_ms,
                  err, errlen) < 0)
    {
        return -1;
    }
    v = getenv("MTW_LEASE_MS");
    if (v != NULL && *v != '\0') {
        if (mtw_cli_parse_long(v, 100, 3600000, &n) != 0) {
            snprintf(err, errlen, "MTW_LEASE_MS must be a whole number of "
                     "milliseconds between 100 and 3600000, not '%s'", v);
            return -1;
        }
        o->lease_ms = n;
    }
    /* a feed is the agency server's input, maybe hostile: bounded */
    o->max_body = MTW_RT_MAX_BYTES_DEFAULT;
    o->max_entities = MTW_SNAPSHOT_MAX_ENTITIES;
    v = getenv("MTW_RT_MAX_BYTES");
    if (v != NULL && *v != '\0') {
        if (mtw_cli_parse_long(v, 1024, 256L * 1024 * 1024, &n) != 0) {
            snprintf(err, errlen, "MTW_RT_MAX_BYTES must be a whole number "
                     "of bytes between 1024 and 268435456, not '%s'", v);
            return -1;
        }
        o->max_body = n;
    }
    v = getenv("MTW_RT_MAX_ENTITIES");
    if (v != NULL && *v != '\0') {
        if (mtw_cli_parse_long(v, 1, 10000000, &n) != 0) {
            snprintf(err, errlen, "MTW_RT_MAX_ENTITIES must be a whole "
                     "number between 1 and 10000000, not '%s'", v);
            return -1;
        }
        o->max_entities = n;
    }
    return 0;
}

static void feed_render_reset(mtw_feed_state *f)
{
    mtw_jbuf_reset(&f->ref_json);
    mtw_jbuf_reset(&f->rich_items);
    mtw_jbuf_reset(&f->vehicle_json);
}

int mtw_city_init(mtw_city *c, const mtw_city_spec *spec,
                  const mtw_ingest_opts *o, int64_t now_ms)
{
    mtw_feed_state *f;
    int k;

    memset(c, 0, sizeof(*c));
    snprintf(c->slug, sizeof(c->slug), "%s", spec->slug);
    c->started_ms = now_ms;
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &c->feed[k];
        f->kind = (mtw_feed_kind) k;
        f->good = -1;
        mtw_snapshot_init(&f->snap[0], f->kind);
        mtw_snapshot_init(&f->snap[1], f->kind);
        if (o->max_entities > 0) {
            f->snap[0].max_entities = o->max_entities;
            f->snap[1].max_entities = o->max_entities;
        }
        mtw_jbuf_init(&f->ref_json);
        mtw_jbuf_init(&f->rich_items);
        mtw_jbuf_init(&f->vehicle_json);
        f->period_ms = o->poll_ms[k];
        /* every feed at once on start, so that the first score sees
         * them all; from the second poll on they are staggered a little,
         * as the reference does (0, 4, 6 s) */
        f->next_ms = now_ms;
        f->stagger_ms = k == 0 ? 0 : f->period_ms * k / 3;
        if (spec->url[k][0] != '\0') {
            f->fetch = mtw_fetch_create(spec->url[k], f);
            if (f->fetch == NULL) {
                return -1;
            }
        }
    }
    return 0;
}

void mtw_city_moved(mtw_city *c)
{
    int k;

    for (k = 0; k < MTW_FEED_KINDS; k++) {
        if (c->feed[k].fetch != NULL) {
            c->feed[k].fetch->owner = &c->feed[k];
        }
    }
}

void mtw_city_free(mtw_city *c, mtw_http *h)
{
    mtw_feed_state *f;
    int k;

    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &c->feed[k];
        mtw_fetch_free(h, f->fetch);
        mtw_snapshot_free(&f->snap[0]);
        mtw_snapshot_free(&f->snap[1]);
        mtw_jbuf_free(&f->ref_json);
        mtw_jbuf_free(&f->rich_items);
        mtw_jbuf_free(&f->vehicle_json);
        free(f->vehicle_off);
    }
    memset(c, 0, sizeof(*c));
}

int mtw_city_update(mtw_city *c, const mtw_city_spec *spec,
                    const mtw_ingest_opts *o, mtw_http *h, int64_t now_ms)
{
    mtw_feed_state *f;
    int k;

    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &c->feed[k];
        f->period_ms = o->poll_ms[k];
        f->fails = 0;
        f->next_ms = now_ms;
        if (f->fetch != NULL && spec->url[k][0] != '\0'
            && strcmp(f->fetch->url, spec->url[k]) == 0)
        {
            continue;
        }
        mtw_fetch_free(h, f->fetch);
        f->fetch = NULL;
        if (spec->url[k][0] != '\0') {
            f->fetch = mtw_fetch_create(spec->url[k], f);
            if (f->fetch == NULL) {
                return -1;
            }
            mtw_info("city %s: %s feed now %s", c->slug,
                     mtw_feed_kind_name(f->kind), spec->url[k]);
        }
    }
    return 0;
}

long mtw_city_start_due(mtw_city *c, mtw_http *h, int64_t now_ms)
{
    mtw_feed_state *f;
    long wait = 1000, d;
    int k;

    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &c->feed[k];
        if (f->fetch == NULL || f->fetch->in_flight) {
            continue;
        }
        if (f->next_ms <= now_ms) {
            f->attempts++;
            if (mtw_http_start(h, f->fetch) != 0) {
                snprintf(f->error, sizeof(f->error), "%s", f->fetch->error);
                f->next_ms = now_ms + f->period_ms;
                continue;
            }
            /* fixed rate: the next poll is due one period after this one */
            f->next_ms += f->period_ms + f->stagger_ms;
            f->stagger_ms = 0;
            if (f->next_ms <= now_ms) {
                f->next_ms = now_ms + f->period_ms;
            }
            continue;
        }
        d = (long) (f->next_ms - now_ms);
        if (d < wait) {
            wait = d;
        }
    }
    return wait;
}

static void feed_render(mtw_feed_state *f)
{
    const mtw_snapshot *s = &f->snap[f->good];
    size_t i, *off;

    feed_render_reset(f);
    mtw_rtjson_reference(&f->ref_json, s);
    mtw_etag(f->ref_json.buf != NULL ? f->ref_json.buf : "",
             f->ref_json.buf != NULL ? f->ref_json.len : 0, f->ref_etag);
    mtw_rtjson_rich_items(&f->rich_items, s);
    if (f->kind != MTW_FEED_VEHICLES || s->n_vehicles == 0) {
        return;
    }
    if (f->vehicle_off_cap < s->n_vehicles + 1) {
        off = realloc(f->vehicle_off, (s->n_vehicles + 1) * sizeof(*off));
        if (off == NULL) {
            f->vehicle_json.failed = 1;
            return;
        }
        f->vehicle_off = off;
        f->vehicle_off_cap = s->n_vehicles + 1;
    }
    for (i = 0; i < s->n_vehicles; i++) {
        f->vehicle_off[i] = f->vehicle_json.len;
        /* each vehicle is its own top-level JSON value */
        mtw_jbuf_reset_nesting(&f->vehicle_json);
        mtw_rtjson_vehicle(&f->vehicle_json, &s->vehicles[i]);
    }
    f->vehicle_off[s->n_vehicles] = f->vehicle_json.len;
}

static void feed_failed(mtw_city *c, mtw_feed_state *f,
                        const mtw_ingest_opts *o, int64_t now_ms,
                        const char *why)
{
    long delay;
    int i;

    if (!f->failing || strcmp(f->error, why) != 0) {
        mtw_warn("city %s: %s feed failed: %s (keeping the last good "
                 "snapshot)", c->slug, mtw_feed_kind_name(f->kind), why);
    }
    snprintf(f->error, sizeof(f->error), "%s", why);
    f->failing = 1;
    f->failures++;
    f->fails++;
    /* exponential backoff: period * 2^fails, capped */
    delay = f->period_ms;
    for (i = 0; i < f->fails && delay < o->backoff_max_ms; i++) {
        delay *= 2;
    }
    if (delay > o->backoff_max_ms) {
        delay = o->backoff_max_ms > f->period_ms ? o->backoff_max_ms
                                                 : f->period_ms;
    }
    f->next_ms = now_ms + delay;
    c->dirty = 1;
}

static void feed_ok(mtw_city *c, mtw_feed_state *f, int64_t wall_ts)
{
    if (f->failing) {
        mtw_info("city %s: %s feed recovered", c->slug,
                 mtw_feed_kind_name(f->kind));
    }
    f->failing = 0;
    f->fails = 0;
    f->ok_ts = wall_ts;
    c->dirty = 1;
}

void mtw_city_fetched(mtw_city *c, mtw_feed_state *f,
                      const mtw_ingest_opts *o, int64_t now_ms,
                      int64_t wall_ts)
{
    mtw_fetch *fe = f->fetch;
    mtw_snapshot *spare;
    const mtw_snapshot *good = mtw_feed_good(f);
    char err[256], why[200];
    int idx;

    if (fe->result == MTW_FETCH_ERROR) {
        feed_failed(c, f, o, now_ms, fe->error);
        return;
    }
    if (fe->result == MTW_FETCH_NOT_MODIFIED) {
        f->not_modified++;
        f->error[0] = '\0';
        feed_ok(c, f, mtw_city_now(c, o, wall_ts));
        return;
    }
    idx = f->good < 0 ? 0 : 1 - f->good;
    spare = &f->snap[idx];
    if (mtw_snapshot_decode(spare, fe->body, fe->len, wall_ts,
                            err, sizeof(err)) != 0)
    {
        /* the spare is now empty; the good snapshot is untouched */
        feed_failed(c, f, o, now_ms, err);
        return;
    }
    if (good != NULL && spare->header_has_ts
        && spare->header_ts < good->header_ts)
    {
        snprintf(why, sizeof(why), "header timestamp went backwards "
                 "(%lld < %lld): ignored", (long long) spare->header_ts,
                 (long long) good->header_ts);
        if (strcmp(f->error, why) != 0) {
            mtw_warn("city %s: %s feed %s", c->slug,
                     mtw_feed_kind_name(f->kind), why);
        }
        snprintf(f->error, sizeof(f->error), "%s", why);
        /* not a transport failure: keep the cadence, let age tell */
        f->failing = 0;
        f->fails = 0;
        c->dirty = 1;
        return;
    }
    f->good = idx;
    f->decoded++;
    f->error[0] = '\0';
    mtw_fetch_accept(fe);
    feed_render(f);
    if (spare->header_ts > c->last_header_ts) {
        c->last_header_ts = spare->header_ts;
    }
    feed_ok(c, f, o->feed_clock ? c->last_header_ts : wall_ts);
}

int mtw_city_settled(const mtw_city *c, int64_t now_ms)
{
    const mtw_feed_state *f;
    int k;

    if (now_ms - c->started_ms >= MTW_CITY_SETTLE_MS) {
        return 1;
    }
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        f = &c->feed[k];
        if (f->fetch != NULL
            && f->decoded + f->not_modified + f->failures == 0)
        {
            return 0;
        }
    }
    return 1;
}

const mtw_snapshot *mtw_feed_good(const mtw_feed_state *f)
{
    return f->good >= 0 && f->snap[f->good].valid ? &f->snap[f->good] : NULL;
}

int64_t mtw_city_now(const mtw_city *c, const mtw_ingest_opts *o,
                     int64_t wall_ts)
{
    if (o->feed_clock && c->last_header_ts > 0) {
        return c->last_header_ts;
    }
    return wall_ts;
}

int64_t mtw_feed_age(const mtw_feed_state *f, int64_t now)
{
    const mtw_snapshot *s = mtw_feed_good(f);

    if (s == NULL || now <= s->header_ts) {
        return 0;
    }
    return now - s->header_ts;
}

int mtw_feed_stale(const mtw_feed_state *f, int64_t now)
{
    long limit = 3 * f->period_ms / 1000;

    /* data older than three polls (at least a minute), or a failing feed */
    if (limit < 60) {
        limit = 60;
    }
    return f->failing || mtw_feed_age(f, now) > limit;
}
