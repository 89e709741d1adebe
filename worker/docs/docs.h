/*
 * docs.h - the published JSON documents (DESIGN.md §5, docs/redis-
 * contract.md) built from a tick's results.
 *
 * Shapes follow the reference (reference-api.md §2-3, §5) with its bugs
 * fixed: vehicle_id is the real vehicle id, scheduled_headway_sec is
 * filled, scheduled times are never "high" confidence, reasons are
 * deterministic.  Each document carries its ETag: '"' + 16 lower-case hex
 * digits of FNV-1a 64 of the body + '"'.  Documents made from live data
 * carry "stale": true when that data is older than three poll periods.
 *
 * One file per family: set.c (the set, ETags, document ids), overview.c
 * (score, overview, cities), realtime.c, stop.c (predictions, stops),
 * vstate.c (the vehicles' states predictions join),
 * route.c (routes, route:{id} and its live, activity and stops pages),
 * tick.c (a tick's documents); fields.c and internal.h hold what they
 * share.
 */
#ifndef MTW_DOCS_DOCS_H
#define MTW_DOCS_DOCS_H

#include "util/jbuf.h"
#include "score/diagnose.h"
#include "score/route_history.h"
#include "score/shape.h"
#include "score/weather.h"
#include "score/tick.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *name;                 /* "score", "predictions:3734", ... */
    char *body;
    size_t len;
    char etag[20];              /* "\"0123456789abcdef\"" */
    int64_t ts;
    uint64_t inputs;            /* a fingerprint of what it was built
                                 * from (predictions); 0: none */
    const char *vids;           /* predictions, streamed to a sink: the
                                 * ids of the buses its items join,
                                 * space-separated; else NULL */
    long ix;                    /* predictions: the stop's index, by which
                                 * held_ix knows it; else -1 */
} mtw_doc;

typedef struct {
    mtw_doc *docs;
    size_t n, cap;
    /* when set, each document goes to sink as soon as it is written (its
     * body still in the writer's buffer) instead of being kept: the run
     * loop streams a ×20 city's 30 MB of documents into the Redis
     * transaction without holding them all */
    int (*sink)(void *ud, const mtw_doc *d);
    /* when set too, asked before a document with an inputs fingerprint
     * is built: 1 = the store holds the one built from these inputs,
     * which is then neither built nor sunk (a tick's cost follows what
     * changed: jobs/doc_memo.h) */
    int (*held)(void *ud, const char *name, uint64_t inputs);
    /* the same for a stop's predictions, asked by the stop's index (the
     * sink gets it in the document's ix); when NULL they are not asked
     * and their inputs not computed */
    int (*held_ix)(void *ud, size_t ix, uint64_t inputs);
    void *sink_ud;
    size_t sunk, sunk_bytes;
    size_t held_n;              /* documents not built, as held */
} mtw_doc_set;

void mtw_doc_set_init(mtw_doc_set *set);
void mtw_doc_set_free(mtw_doc_set *set);

/* Copies name and the writer's buffer into a new document; 0 or -1. */
int mtw_doc_set_add(mtw_doc_set *set, const char *name, const mtw_jbuf *w,
                    int64_t ts);

/* Writes the quoted ETag of body into out (>= 19 bytes). */
void mtw_etag(const char *body, size_t len, char *out);

/* Crowd feedback counters of one vehicle (module-written, read per tick). */
typedef struct {
    const char *vehicle_id;
    int ahead, on_time, late, total;
} mtw_feedback;

typedef struct {
    int id;
    const char *name, *slug, *country;
    double center_lat, center_lon;      /* NaN: the stops' centre */
    int zoom_level;
} mtw_city_info;

/*
 * The writers a tick's documents are built in.  A caller that builds
 * every few seconds keeps them, so that their buffers (a x20 city's
 * realtime document is 6 MB) are not grown from nothing, copied on the
 * way and faulted in again at every tick.
 */
typedef struct {
    mtw_jbuf w, vids;
} mtw_doc_bufs;

void mtw_doc_bufs_free(mtw_doc_bufs *b);

/* per-vehicle JSON rendered once per tick (internal to docs/) */
typedef struct mtw_doc_frags mtw_doc_frags;

/*
 * The vehicles' states the predictions documents join by id (issue 14): a
 * bus's status, crowding, position and predicted times change every tick,
 * and a bus is ahead of some forty stops; written once per vehicle (the
 * Redis hash mtw:{city}:vstate, docs/redis-contract.md) instead of into
 * each of their lists, a stop's list changes only when a bus joins or
 * leaves it.  For vehicle i of the tick, vid[i] is its id when it has one
 * of the key alphabet (mtw_valid_doc_id) no other vehicle of the tick
 * shares, and its state {"status","occupancy"[,"lat","lon"][,"row"]
 * [,"eta"]} is buf.buf + off[i], len[i] bytes; vid[i] NULL: its
 * predictions carry the state and their times inline, as they all do
 * without a vstates.
 */
typedef struct {
    mtw_jbuf buf;
    const char **vid;           /* borrowed from the tick's live model */
    size_t *off, *len;
    size_t n;                   /* the tick's vehicles */
} mtw_doc_vstates;

typedef struct {
    const char *city;           /* slug */
    int64_t now;
    int poll_sec;
    const mtw_feedback *feedback;       /* sorted by vehicle_id (strcmp) */
    size_t nfeedback;
    const mtw_route_history *history;   /* sorted by route_id (strcmp) */
    size_t nhistory;
    double system_median;       /* of daily on-time values; 75 if none */
    uint64_t history_loads;     /* changes with history and system_median
                                   (0: unknown, their documents are built
                                   every time) */
    double day_change;          /* yesterday's on-time % against the day
                                 * before (points); NaN or 0 when unknown */
    const mtw_doc_frags *frags; /* NULL: render everything inline */
    const mtw_doc_vstates *vstates; /* NULL: predictions carry the
                                     * vehicles' states inline */
    mtw_doc_bufs *bufs;         /* NULL: mtw_docs_build_tick's own */
} mtw_doc_ctx;

/* The tick's vehicles' states (vs is then the caller's to free, also on
 * failure).  0, or -1 out of memory. */
int mtw_doc_vstates_build(mtw_doc_vstates *vs, const mtw_tick *t,
                          const mtw_doc_ctx *c);
void mtw_doc_vstates_free(mtw_doc_vstates *vs);

/* Age of the live data (s) and whether it is stale (> 3 poll periods). */
int64_t mtw_live_age(const mtw_tick *t, const mtw_doc_ctx *c);
int mtw_live_stale(const mtw_tick *t, const mtw_doc_ctx *c);

/* Each writes one document body into w (reset first). */
void mtw_doc_score(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c);
void mtw_doc_realtime(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c);
void mtw_doc_predictions(mtw_jbuf *w, const mtw_tick *t,
                         const mtw_doc_ctx *c, uint32_t stop);
/* The ids of the buses predictions:{stop} joins (its items with "live"),
 * space-separated, into w (reset first; empty when none). */
void mtw_doc_predictions_vids(mtw_jbuf *w, const mtw_tick *t,
                              const mtw_doc_ctx *c, uint32_t stop);
/* The fingerprint of what predictions:{stop} is built from (never 0):
 * equal fingerprints, equal documents. */
uint64_t mtw_doc_predictions_inputs(const mtw_tick *t, const mtw_doc_ctx *c,
                                    uint32_t stop);
void mtw_doc_routes(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c);
/* route:{id} is its history (changes with the daily aggregate), and
 * route:{id}:now what changes with the ticks ({"live","timestamp","stale",
 * "age_sec"}): the module answers the first with the second's members
 * added, so a tick writes the small part only. */
void mtw_doc_route(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                   uint32_t route);
void mtw_doc_route_now(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c,
                       uint32_t route);
/* route:{id}:live holds, for each stop of the route's line, only the
 * buses approaching it ("stops": one array per stop); route:{id}:line
 * holds the line's stops ({"stops":[{"id","name","is_timepoint",
 * "sequence"}]}, the same for the day): the module puts each array into
 * its stop as "approaching". */
void mtw_doc_route_live(mtw_jbuf *w, const mtw_tick *t,
                        const mtw_doc_ctx *c, uint32_t route);
void mtw_doc_route_line(mtw_jbuf *w, const mtw_schedule *s, uint32_t route);
void mtw_doc_route_activity(mtw_jbuf *w, const mtw_tick *t,
                            const mtw_doc_ctx *c, uint32_t route);
void mtw_doc_stops(mtw_jbuf *w, const mtw_schedule *s, int64_t ts);
/* shapes - every route's shapes (simplified) for the system map; an empty
 * list when the feed has no shapes.txt */
void mtw_doc_shapes(mtw_jbuf *w, const mtw_schedule *s,
                    const mtw_shape_set *set, int64_t ts);
/* weather:current - one observation, as the banner shows it */
void mtw_doc_weather_current(mtw_jbuf *w, const mtw_wx_obs *o);
#define MTW_WX_READING 400      /* bytes of one section's reading */
/* each section's plain-text reading, built from its numbers */
void mtw_doc_weather_readings(const char *const sections[4],
                              char out[4][MTW_WX_READING]);
/*
 * weather - the weather page: cur (NULL: none yet) and the four analysis
 * sections (JSON objects: winter operations, temperature threshold,
 * impact matrix, bunching), each with its plain-text "narrative", and a
 * "key_takeaway" made of the third and second.  0, or -1 (bad section,
 * memory).
 */
int mtw_doc_weather(mtw_jbuf *w, const mtw_wx_obs *cur,
                    const char *const sections[4],
                    const char *const narratives[4], int64_t ts);
/* route:{id}:shape - one route's shapes ("shapes": [] when none) */
void mtw_doc_route_shape(mtw_jbuf *w, const mtw_schedule *s,
                         const mtw_shape_set *set, uint32_t route,
                         int64_t ts);
/* route:{id}:stops - the stops of the route's direction-0 trips, in order */
void mtw_doc_route_stops(mtw_jbuf *w, const mtw_schedule *s, uint32_t route,
                         int64_t ts);
void mtw_doc_cities(mtw_jbuf *w, const mtw_city_info *cities, size_t n,
                    const mtw_schedule *const *schedules);
void mtw_doc_overview(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c);
/* feed-health: the realtime ids the schedule does not know (0, or -1 when
 * out of memory); the same body from a report, for `mtw-worker diagnose` */
int mtw_doc_feed_health(mtw_jbuf *w, const mtw_tick *t, const mtw_doc_ctx *c);
void mtw_doc_feed_report(mtw_jbuf *w, const mtw_feed_report *r,
                         const char *city, int service_date, int64_t ts);

/* 1 when id may be part of a document name ([A-Za-z0-9._~:-]{1,64}). */
int mtw_valid_doc_id(const char *id);

/* which documents a build makes */
#define MTW_DOCS_LIVE  1u   /* realtime, predictions:*, route:*:activity,
                             * route:*:live of routes with vehicles */
#define MTW_DOCS_SCORE 2u   /* score, routes, route:*, route:*:live of every
                             * route, overview */
#define MTW_DOCS_ALL   3u

/*
 * Builds a city's per-tick documents into set, the kinds named in what:
 * live ones after every vehicle poll, score ones every MTW_SCORE_SEC.
 * route:{id}:live and predictions:{stop} are made for routes / stops with
 * live data now, plus those marked in also_routes / also_stops (published
 * last time, so their documents are emptied rather than left stale).
 * Routes and stops whose ids are not valid document ids get no document.
 * 0 or -1.
 */
int mtw_docs_build_tick(mtw_doc_set *set, const mtw_tick *t,
                        const mtw_doc_ctx *c, unsigned what,
                        const uint8_t *also_routes, const uint8_t *also_stops);

#endif
