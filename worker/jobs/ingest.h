/*
 * ingest.h - per-city realtime ingestion state: scheduling, backoff,
 * last good snapshots, staleness.
 *
 * A city has three feeds (vehicles, trips, alerts), each with its own
 * period.  A due feed starts a fetch; when it finishes, mtw_city_fetched()
 * decodes the body into the spare snapshot and swaps it in only when it
 * decoded and its header timestamp did not go backwards.  A failure keeps
 * the last good snapshot (then published stale) and backs off
 * exponentially up to a cap.  Times: *_ms are monotonic milliseconds for
 * scheduling; "now" and *_ts are unix seconds from the configured clock.
 */
#ifndef MTW_INGEST_H
#define MTW_INGEST_H

#include "feed/http.h"
#include "util/jbuf.h"
#include "feed/snapshot.h"

#include <stddef.h>
#include <stdint.h>

#define MTW_CITY_SLUG_MAX 32
#define MTW_URL_MAX       1024
/* a feed body larger than this is refused (MTW_RT_MAX_BYTES): the biggest
 * real one we know, Auckland's TripUpdates, is 2.49 MB */
#define MTW_RT_MAX_BYTES_DEFAULT ((long) 4 * 1024 * 1024)

typedef struct {
    long   poll_ms[MTW_FEED_KINDS];     /* period per feed */
    long   backoff_max_ms;              /* cap of the retry delay */
    long   lease_ms;                    /* lease period */
    int    feed_clock;                  /* MTW_CLOCK=feed */
    long   max_body;                    /* MTW_RT_MAX_BYTES */
    long   max_entities;                /* MTW_RT_MAX_ENTITIES */
} mtw_ingest_opts;

typedef struct {
    char        slug[MTW_CITY_SLUG_MAX + 1];
    char        url[MTW_FEED_KINDS][MTW_URL_MAX];   /* "": not configured */
} mtw_city_spec;

typedef struct {
    mtw_feed_kind  kind;
    mtw_fetch     *fetch;               /* NULL when no URL */
    long           period_ms;
    int64_t        next_ms;             /* when the next fetch is due */
    long           stagger_ms;          /* added once, after the first */
    int            fails;               /* consecutive failures */
    mtw_snapshot   snap[2];
    int            good;                /* index of the good snapshot, -1 */
    int            failing;             /* the last attempt failed */
    int64_t        ok_ts;               /* clock time of the last success */
    int64_t        attempts, decoded, not_modified, failures;
    char           error[256];          /* last problem, "" when none */
    /* the good snapshot rendered once, republished until it changes */
    mtw_jbuf      ref_json;            /* reference trimmed array */
    char          ref_etag[20];        /* its ETag: the module joins the
                                          trip updates to /api/realtime */
    mtw_jbuf      rich_items;          /* rich array */
    mtw_jbuf      vehicle_json;        /* vehicles: one JSON per vehicle */
    size_t        *vehicle_off;         /* start of vehicle i in vehicle_json */
    size_t         vehicle_off_cap;
} mtw_feed_state;

typedef enum {
    MTW_LEASE_UNKNOWN = 0,      /* Redis unreachable so far: keep polling */
    MTW_LEASE_HELD,
    MTW_LEASE_STANDBY           /* another instance is active */
} mtw_lease_state;

typedef struct {
    char            slug[MTW_CITY_SLUG_MAX + 1];
    mtw_feed_state  feed[MTW_FEED_KINDS];
    mtw_lease_state lease;
    int64_t         lease_next_ms;
    int64_t         lease_until_ms;     /* held at least until (monotonic):
                                         * past it, publish nothing */
    int             dirty;              /* something new to publish */
    int64_t         published_ms;       /* last publish, monotonic */
    unsigned long   publishes;          /* transactions committed */
    int64_t         last_header_ts;     /* newest header seen (feed clock) */
    int64_t         started_ms;         /* mtw_city_init, monotonic */
} mtw_city;

/* Is slug a valid city slug ([a-z0-9-]{1,32})? */
int  mtw_city_slug_valid(const char *slug);

/* Reads the realtime environment (MTW_POLL_MS, MTW_TRIPS_POLL_SEC, ...).
 * Returns 0 or -1 with the reason in err. */
int  mtw_ingest_opts_load(mtw_ingest_opts *o, int poll_sec, int feed_clock,
                          char *err, size_t errlen);

/* 0, or -1 when out of memory. */
int  mtw_city_init(mtw_city *c, const mtw_city_spec *spec,
                   const mtw_ingest_opts *o, int64_t now_ms);
void mtw_city_free(mtw_city *c, mtw_http *h);

/* After moving a city struct in memory: points its fetches back at it. */
void mtw_city_moved(mtw_city *c);

/* Applies a new spec (after SIGHUP): new URLs, periods; keeps snapshots. */
int  mtw_city_update(mtw_city *c, const mtw_city_spec *spec,
                     const mtw_ingest_opts *o, mtw_http *h, int64_t now_ms);

/* Starts the fetches that are due; returns ms until the next one is due. */
long mtw_city_start_due(mtw_city *c, mtw_http *h, int64_t now_ms);

/* Handles a finished fetch of feed f of city c. */
void mtw_city_fetched(mtw_city *c, mtw_feed_state *f,
                      const mtw_ingest_opts *o, int64_t now_ms,
                      int64_t wall_ts);

/* Has every configured feed answered (or failed) once since the start, or
 * MTW_CITY_SETTLE_MS passed?  Until then nothing is published: a first
 * score from the vehicles alone would stand for a whole MTW_SCORE_SEC. */
#define MTW_CITY_SETTLE_MS 10000
int  mtw_city_settled(const mtw_city *c, int64_t now_ms);

/* The last good snapshot of a feed, or NULL. */
const mtw_snapshot *mtw_feed_good(const mtw_feed_state *f);

/* "now" of a city: wall_ts, or with the feed clock its newest header ts. */
int64_t mtw_city_now(const mtw_city *c, const mtw_ingest_opts *o,
                     int64_t wall_ts);

/* Age of a feed's good snapshot at now, and whether it is stale. */
int64_t mtw_feed_age(const mtw_feed_state *f, int64_t now);
int     mtw_feed_stale(const mtw_feed_state *f, int64_t now);

#endif
