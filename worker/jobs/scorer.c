/*
 * scorer.c - scoring inside `mtw-worker run` (see scorer.h).
 */
#include "jobs/scorer.h"
#include "jobs/live_model.h"
#include "docs/search.h"
#include "score/calendar.h"
#include "store/pg.h"
#include "util/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VSTATE_BATCH 256        /* vehicles per HSET of mtw:{city}:vstate */
#define CHECK_EVERY_SEC 60      /* gtfs_version and service date */
#define PG_RETRY_SEC 30
#define STATIC_EVERY_SEC 3600   /* stops and cities, besides each load */

void mtw_scorer_init(mtw_scorer *s, const mtw_config *cfg)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    mtw_score_params_default(&s->params);
}

void mtw_scorer_free(mtw_scorer *s)
{
    int i;

    for (i = 0; i < s->ncity; i++) {
        mtw_schedule_free(s->city[i].sched);
        mtw_schedule_free(s->city[i].empty);
        mtw_history_free(s->city[i].hist);
        mtw_shape_set_free(&s->city[i].shapes);
        mtw_publisher_free(&s->city[i].marks);
        mtw_doc_memo_free(&s->city[i].memo);
        mtw_doc_bufs_free(&s->city[i].bufs);
        mtw_tick_room_free(&s->city[i].room);
        mtw_histlog_free(&s->city[i].log);
        free(s->city[i].vote_counts);
        free(s->city[i].feedback);
    }
    mtw_pg_close(s->pg);
    memset(s, 0, sizeof(*s));
}

static PGconn *scorer_pg(mtw_scorer *s, int64_t wall)
{
    char err[512];

    if (s->pg != NULL && PQstatus(s->pg) != CONNECTION_OK) {
        mtw_pg_close(s->pg);
        s->pg = NULL;
    }
    if (s->pg == NULL && s->cfg->database_url != NULL
        && s->cfg->database_url[0] != '\0' && wall >= s->pg_retry_at)
    {
        s->pg = mtw_pg_connect(s->cfg->database_url, err, sizeof(err));
        if (s->pg == NULL) {
            mtw_warn("scoring: %s (retrying in %d s)", err, PG_RETRY_SEC);
            s->pg_retry_at = wall + PG_RETRY_SEC;
        }
    }
    return s->pg;
}

static mtw_scorer_city *scorer_city(mtw_scorer *s, const char *slug)
{
    mtw_scorer_city *c;
    int i;

    for (i = 0; i < s->ncity; i++) {
        if (strcmp(s->city[i].slug, slug) == 0) {
            return &s->city[i];
        }
    }
    if (s->ncity == MTW_SCORER_MAX_CITIES) {
        return NULL;
    }
    c = &s->city[s->ncity++];
    memset(c, 0, sizeof(*c));
    snprintf(c->slug, sizeof(c->slug), "%s", slug);
    mtw_publisher_init(&c->marks);
    mtw_doc_memo_init(&c->memo);
    return c;
}

/* (re)loads the schedule when the service date or the import changed */
static void scorer_refresh(mtw_scorer *s, mtw_scorer_city *c, int64_t now)
{
    int64_t wall = (int64_t) time(NULL);
    PGconn *pg;
    char err[1024];
    int date, run_date, found;
    mtw_schedule *next;
    mtw_history *hist;

    if (c->checked_at != 0 && wall - c->checked_at < CHECK_EVERY_SEC
        && (c->sched == NULL
            || mtw_service_date_for(c->row.tz, now) == c->run_date))
    {
        return;     /* checked lately, and the clock is on the same day */
    }
    c->checked_at = wall;
    pg = scorer_pg(s, wall);
    if (pg == NULL) {
        return;
    }
    found = mtw_city_load(pg, c->slug, &c->row, err, sizeof(err));
    if (found <= 0) {
        if (found < 0) {
            mtw_warn("scoring %s: %s", c->slug, err);
        } else if (c->have_row || !c->said_no_city) {
            mtw_info("scoring %s: the city has no schedule in the database "
                     "(scoring from the feeds alone)", c->slug);
            c->said_no_city = 1;
        }
        c->have_row = 0;
        return;
    }
    c->have_row = 1;
    if (mtw_pick_service_date(pg, &c->row, s->cfg->service_date, now, &date,
                              err, sizeof(err)) != 0)
    {
        mtw_warn("scoring %s: %s", c->slug, err);
        return;
    }
    run_date = mtw_service_date_for(c->row.tz, now);
    if (c->sched != NULL && date == c->service_date
        && run_date == c->run_date && c->row.gtfs_version == c->gtfs_version)
    {
        return;
    }
    next = mtw_schedule_load(pg, &c->row, date, run_date, err, sizeof(err));
    if (next == NULL) {
        mtw_warn("scoring %s: loading the schedule of %d failed, keeping "
                 "the previous one: %s", c->slug, date, err);
        return;
    }
    hist = mtw_history_load(pg, c->row.id, date, &s->params.otp, err,
                            sizeof(err));
    if (hist == NULL) {
        mtw_warn("scoring %s: %s (route list without history)", c->slug,
                 err);
    }
    if (c->row.gtfs_version != c->gtfs_version || c->sched == NULL) {
        /* the shapes change with the import only, not with the day */
        mtw_shape_set shapes;

        mtw_shape_set_init(&shapes);
        if (mtw_shapes_load(pg, c->row.id, &shapes, err, sizeof(err)) != 0) {
            mtw_warn("scoring %s: %s (maps without route shapes)", c->slug,
                     err);
            mtw_shape_set_free(&shapes);
        } else {
            mtw_shape_set_free(&c->shapes);
            c->shapes = shapes;
            mtw_info("scoring %s: %zu route shapes, %zu of %zu points kept "
                     "(%.0f m)", c->slug, shapes.nshapes, shapes.npts,
                     shapes.raw_pts, MTW_SHAPE_TOLERANCE_M);
        }
    }
    mtw_info("scoring %s: schedule of %d on %d loaded (gtfs_version %d): "
             "%zu routes, %zu stops, %zu trips", c->slug, date, run_date,
             c->row.gtfs_version, next->nroutes, next->nstops, next->ntrips);
    mtw_schedule_free(c->sched);
    mtw_history_free(c->hist);
    c->sched = next;
    c->hist = hist;
    c->hist_loads++;
    c->service_date = date;
    c->run_date = run_date;
    c->gtfs_version = c->row.gtfs_version;
    c->stops_at = 0;
    c->scored_at = 0;           /* score documents right away */
}

/* after a new daily aggregate: the 30-day history again, and the score
 * documents now */
static void scorer_reload_history(mtw_scorer *s, mtw_scorer_city *c)
{
    mtw_history *hist;
    char err[512];

    if (s->pg == NULL) {
        return;
    }
    hist = mtw_history_load(s->pg, c->row.id, c->service_date,
                            &s->params.otp, err, sizeof(err));
    if (hist == NULL) {
        mtw_warn("scoring %s: %s (keeping the previous history)", c->slug,
                 err);
        return;
    }
    mtw_history_free(c->hist);
    c->hist = hist;
    c->hist_loads++;
    c->scored_at = 0;
}

/* an empty schedule, so the feeds alone can still be scored */
static mtw_schedule *scorer_empty(mtw_scorer_city *c, int64_t now)
{
    mtw_timetable *tt;
    char err[256];

    if (c->empty == NULL) {
        tt = mtw_timetable_create();
        if (tt == NULL) {
            return NULL;
        }
        c->empty = mtw_schedule_build(tt, "UTC",
                                      mtw_service_date_for("UTC", now), 0,
                                      err, sizeof(err));
        mtw_timetable_free(tt);
    }
    return c->empty;
}

/* the link keeps queued commands in one growing buffer: at ×20 scale
 * (≈ 30 MB of documents) its doubling reallocations and page faults cost
 * as much as writing the documents, so send it on every few MB (still
 * inside the MULTI: Redis only queues them) */
#define TX_FLUSH_BYTES (4u << 20)

static int tx_flush(mtw_redis_tx *tx)
{
    /* on failure the drain reports the broken connection */
    return mtw_redis_flush(tx->c) == REDIS_OK ? 0 : -1;
}

typedef struct {
    mtw_redis_tx *tx;
    const char *slug;
    size_t pending;             /* bytes queued since the last flush */
    mtw_doc_memo *memo;         /* what Redis holds; NULL: write all */
} tx_sink_state;

static void tx_doc(mtw_redis_tx *tx, const char *slug, const mtw_doc *d,
                   int global, size_t *pending);

/* a document straight into the transaction (the cities list is global),
 * unless Redis holds it already with the same ETag */
static int tx_sink(void *ud, const mtw_doc *d)
{
    tx_sink_state *st = ud;
    uint64_t name, etag;

    if (st->memo != NULL && d->ix >= 0) {
        /* a stop's predictions, by its index (tx_held_ix) */
        mtw_doc_memo_ix_note(st->memo, (size_t) d->ix, d->inputs);
    } else if (st->memo != NULL) {
        /* a document built from fingerprinted inputs is remembered by
         * them (tx_held), any other by its ETag */
        name = mtw_doc_memo_key(d->name);
        etag = d->inputs != 0 ? d->inputs : mtw_doc_memo_key(d->etag);
        if (mtw_doc_memo_holds(st->memo, name, etag)) {
            st->memo->skipped++;
            st->memo->skipped_bytes += d->len;
            return 0;
        }
        mtw_doc_memo_note(st->memo, name, etag);
    }
    tx_doc(st->tx, st->slug, d, strcmp(d->name, "cities") == 0,
           &st->pending);
    return 0;
}

/* a document Redis holds as built from these very inputs is not built */
static int tx_held(void *ud, const char *name, uint64_t inputs)
{
    tx_sink_state *st = ud;

    if (st->memo != NULL
        && mtw_doc_memo_holds(st->memo, mtw_doc_memo_key(name), inputs))
    {
        st->memo->skipped++;
        return 1;
    }
    return 0;
}

/* the same for a stop's predictions, by the stop's index */
static int tx_held_ix(void *ud, size_t ix, uint64_t inputs)
{
    tx_sink_state *st = ud;

    if (st->memo != NULL && mtw_doc_memo_ix_holds(st->memo, ix, inputs)) {
        st->memo->skipped++;
        return 1;
    }
    return 0;
}

static void tx_doc(mtw_redis_tx *tx, const char *slug, const mtw_doc *d,
                   int global, size_t *pending)
{
    const char *argv[10];
    size_t lens[10];
    int k, n = 8;

    argv[0] = "HSET";
    argv[1] = global ? mtw_redis_tx_fmt(tx, "mtw:doc:%s", d->name)
                     : mtw_redis_tx_fmt(tx, "mtw:%s:doc:%s", slug, d->name);
    argv[2] = "body";
    argv[3] = d->body;
    argv[4] = "etag";
    argv[5] = d->etag;
    argv[6] = "ts";
    argv[7] = mtw_redis_tx_fmt(tx, "%lld", (long long) d->ts);
    if (d->vids != NULL) {
        /* the buses the module's predictions script reads the states of
         * (docs/redis-contract.md) */
        argv[n++] = "vids";
        argv[n++] = d->vids;
    }
    for (k = 0; k < n; k++) {
        lens[k] = k == 3 ? d->len : strlen(argv[k]);
    }
    mtw_redis_tx_cmd(tx, n, argv, lens);
    *pending += d->len;
    if (*pending >= TX_FLUSH_BYTES) {
        tx_flush(tx);
        *pending = 0;
    }
}

/*
 * mtw:{city}:vstate, the vehicles' states the tick's predictions name
 * (docs.h mtw_doc_vstates): replaced whole each tick, so a bus gone is
 * gone from it; no TTL, like the documents that name it.  Its bytes are
 * added to *bytes.
 */
static void tx_vstates(mtw_redis_tx *tx, const char *slug,
                       const mtw_doc_vstates *vs, size_t *bytes)
{
    const char *argv[2 + 2 * VSTATE_BATCH];
    size_t lens[2 + 2 * VSTATE_BATCH];
    size_t i;
    int n = 2;

    argv[0] = "DEL";
    argv[1] = mtw_redis_tx_fmt(tx, "mtw:%s:vstate", slug);
    mtw_redis_tx_cmd(tx, 2, argv, NULL);
    argv[0] = "HSET";
    lens[0] = 4;
    lens[1] = strlen(argv[1]);
    for (i = 0; i < vs->n; i++) {
        if (vs->vid[i] == NULL) {
            continue;
        }
        argv[n] = vs->vid[i];
        lens[n] = strlen(vs->vid[i]);
        argv[n + 1] = vs->buf.buf + vs->off[i];
        lens[n + 1] = vs->len[i];
        *bytes += lens[n] + lens[n + 1];
        n += 2;
        if (n == 2 + 2 * VSTATE_BATCH) {
            mtw_redis_tx_cmd(tx, n, argv, lens);
            n = 2;
        }
    }
    if (n > 2) {
        mtw_redis_tx_cmd(tx, n, argv, lens);
    }
}

/* stops of the schedule, and the cities list (global), once per load */
#define STOP_BATCH 500          /* fields per HSET / GEOADD */

/*
 * mtw:{city}:stop:search, the name index (docs/search.h): one ZADD of
 * score 0 entries per STOP_BATCH, the entries' bytes in the transaction's
 * scratch arena.
 */
static void tx_stop_search(mtw_redis_tx *tx, const char *key,
                           const mtw_schedule *sched)
{
    const char *argv[2 + 2 * STOP_BATCH];
    size_t lens[2 + 2 * STOP_BATCH], starts[MTW_SEARCH_MAX_WORDS];
    size_t i, k, nw, n = 2, len;
    char *lower, *entry;

    argv[0] = "ZADD";
    argv[1] = key;
    lens[0] = 4;
    lens[1] = strlen(key);
    for (i = 0; i < sched->nstops; i++) {
        const mtw_stop *st = &sched->stops[i];
        const char *nm = st->name ? st->name : "";

        if (!mtw_valid_doc_id(st->id)) {
            continue;
        }
        lower = mtw_arena_alloc(tx->scratch, strlen(nm) + 1);
        if (lower == NULL) {
            return;
        }
        nw = mtw_search_words(nm, lower, starts);
        for (k = 0; k < nw; k++) {
            size_t cap = MTW_SEARCH_MAX_TEXT + 2 + strlen(st->id);

            entry = mtw_arena_alloc(tx->scratch, cap);
            if (entry == NULL
                || (len = mtw_search_entry(lower, starts[k], st->id, entry,
                                           cap)) == 0)
            {
                continue;
            }
            argv[n] = "0";
            lens[n++] = 1;
            argv[n] = entry;
            lens[n++] = len;
            if (n == 2 + 2 * STOP_BATCH) {
                mtw_redis_tx_cmd(tx, (int) n, argv, lens);
                n = 2;
            }
        }
    }
    if (n > 2) {
        mtw_redis_tx_cmd(tx, (int) n, argv, lens);
    }
}

/*
 * The stop search keys of docs/redis-contract.md, replaced together:
 * mtw:{city}:stop (id -> {"id","name","lat","lon"}), mtw:{city}:stop:search
 * (the name index, see tx_stop_search) and the GEO set
 * mtw:{city}:geo:stops.
 */
static void tx_stop_keys(mtw_redis_tx *tx, const char *slug,
                         const mtw_schedule *sched)
{
    const char *keys[3], *argv[2 + 3 * STOP_BATCH];
    size_t lens[2 + 3 * STOP_BATCH], i, k, n;
    mtw_jbuf w;
    int which;

    keys[0] = mtw_redis_tx_fmt(tx, "mtw:%s:stop", slug);
    keys[1] = mtw_redis_tx_fmt(tx, "mtw:%s:stop:search", slug);
    keys[2] = mtw_redis_tx_fmt(tx, "mtw:%s:geo:stops", slug);
    argv[0] = "DEL";
    argv[1] = keys[0];
    argv[2] = keys[1];
    argv[3] = keys[2];
    /* the name hash the module scanned before the index (until 0.x) */
    argv[4] = mtw_redis_tx_fmt(tx, "mtw:%s:stop:names", slug);
    mtw_redis_tx_cmd(tx, 5, argv, NULL);
    mtw_jbuf_init(&w);
    tx_stop_search(tx, keys[1], sched);
    for (which = 0; which < 3; which += 2) {
        for (i = 0; i < sched->nstops;) {
            argv[0] = which == 2 ? "GEOADD" : "HSET";
            argv[1] = keys[which];
            n = 2;
            mtw_jbuf_reset(&w);
            /* values point into w: first write them all, then point */
            for (k = i; k < sched->nstops && n < 2 + 3 * STOP_BATCH - 3;
                 k++)
            {
                const mtw_stop *st = &sched->stops[k];

                if (!mtw_valid_doc_id(st->id) || st->lat < -85 || st->lat > 85
                    || st->lon < -180 || st->lon > 180)
                {
                    continue;
                }
                if (which == 0) {
                    w.need_comma = 0;
                    mtw_jw_obj(&w);
                    mtw_jw_kstr(&w, "id", st->id);
                    mtw_jw_kstr(&w, "name", st->name);
                    mtw_jw_knum(&w, "lat", st->lat, 6);
                    mtw_jw_knum(&w, "lon", st->lon, 6);
                    mtw_jw_obj_end(&w);
                    argv[n] = st->id;
                    lens[n++] = strlen(st->id);
                    lens[n++] = w.len;  /* end offset for now */
                } else {
                    argv[n] = mtw_redis_tx_fmt(tx, "%.7f", st->lon);
                    lens[n] = strlen(argv[n]);
                    n++;
                    argv[n] = mtw_redis_tx_fmt(tx, "%.7f", st->lat);
                    lens[n] = strlen(argv[n]);
                    n++;
                    argv[n] = st->id;
                    lens[n++] = strlen(st->id);
                }
            }
            if (which == 0 && !w.failed) {
                size_t off = 0, j;

                for (j = 3; j < n; j += 2) {
                    size_t end = lens[j];

                    argv[j] = w.buf + off;
                    lens[j] = end - off;
                    off = end;
                }
            }
            if (n > 2 && !(which == 0 && w.failed)) {
                lens[0] = strlen(argv[0]);
                lens[1] = strlen(argv[1]);
                mtw_redis_tx_cmd(tx, (int) n, argv, lens);
            }
            i = k;
        }
    }
    mtw_jbuf_free(&w);
}

static int scorer_static_docs(mtw_scorer *s, mtw_scorer_city *c,
                              mtw_doc_set *set, int64_t now, int *cities)
{
    mtw_city_info *info;
    const mtw_schedule **scheds;
    mtw_jbuf w;
    char name[160];
    size_t r;
    int i, n = 0, rc;

    *cities = 0;
    mtw_jbuf_init(&w);
    mtw_doc_stops(&w, c->sched, now);
    rc = mtw_doc_set_add(set, "stops", &w, now);
    if (rc == 0) {
        mtw_doc_shapes(&w, c->sched, &c->shapes, now);
        rc = mtw_doc_set_add(set, "shapes", &w, now);
    }
    for (r = 0; rc == 0 && r < c->sched->nroutes; r++) {
        if (!mtw_valid_doc_id(c->sched->routes[r].id)) {
            continue;
        }
        mtw_doc_route_stops(&w, c->sched, (uint32_t) r, now);
        snprintf(name, sizeof(name), "route:%s:stops",
                 c->sched->routes[r].id);
        rc = mtw_doc_set_add(set, name, &w, now);
        if (rc == 0) {
            mtw_doc_route_shape(&w, c->sched, &c->shapes, (uint32_t) r, now);
            snprintf(name, sizeof(name), "route:%s:shape",
                     c->sched->routes[r].id);
            rc = mtw_doc_set_add(set, name, &w, now);
        }
    }
    info = calloc((size_t) s->ncity + 1, sizeof(*info));
    scheds = calloc((size_t) s->ncity + 1, sizeof(*scheds));
    if (rc == 0 && info != NULL && scheds != NULL) {
        for (i = 0; i < s->ncity; i++) {
            const mtw_scorer_city *o = &s->city[i];

            if (!o->have_row || o->sched == NULL) {
                continue;
            }
            info[n].id = o->row.id;
            info[n].name = o->row.name;
            info[n].slug = o->row.slug;
            info[n].country = o->row.country[0] ? o->row.country : NULL;
            info[n].center_lat = o->row.center_lat;
            info[n].center_lon = o->row.center_lon;
            info[n].zoom_level = o->row.zoom_level;
            scheds[n] = o->sched;
            n++;
        }
        mtw_doc_cities(&w, info, (size_t) n, scheds);
        rc = mtw_doc_set_add(set, "cities", &w, now);
        *cities = rc == 0;
    }
    free(info);
    free(scheds);
    mtw_jbuf_free(&w);
    return rc;
}

static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void mtw_scorer_recover(mtw_scorer *s, mtw_redis_link *rc, const char *slug)
{
    mtw_scorer_city *c = s != NULL ? scorer_city(s, slug) : NULL;

    if (c != NULL) {
        (void) mtw_histlog_recover(&c->log, rc, slug);
    }
}

static int cmp_feedback(const void *a, const void *b)
{
    return strcmp(((const mtw_feedback *) a)->vehicle_id,
                  ((const mtw_feedback *) b)->vehicle_id);
}

/* the module's counters, for the next tick's documents; on an error the
 * last ones are kept */
static void scorer_read_feedback(mtw_scorer_city *c, mtw_redis_link *rc,
                                 int64_t wall)
{
    mtw_vote_count *counts;
    mtw_feedback *fb;
    long n, i;

    if (rc == NULL || (c->feedback_read
                       && wall - c->feedback_at < MTW_FEEDBACK_READ_SEC
                       && wall >= c->feedback_at))
    {
        return;
    }
    n = mtw_votes_read(rc, c->slug, &counts);
    if (n < 0) {
        return;
    }
    fb = calloc((size_t) n + 1, sizeof(*fb));
    if (fb == NULL) {
        free(counts);
        return;
    }
    for (i = 0; i < n; i++) {
        fb[i].vehicle_id = counts[i].vehicle_id;
        fb[i].ahead = (int) counts[i].ahead;
        fb[i].on_time = (int) counts[i].on_time;
        fb[i].late = (int) counts[i].late;
        fb[i].total = fb[i].ahead + fb[i].on_time + fb[i].late;
    }
    qsort(fb, (size_t) n, sizeof(*fb), cmp_feedback);
    free(c->vote_counts);
    free(c->feedback);
    c->vote_counts = counts;
    c->feedback = fb;
    c->nfeedback = (size_t) n;
    c->feedback_read = 1;
    c->feedback_at = wall;
}

/* A Redis that lost its data on the same connection (emptied, a replica
 * promoted): the marker the last full write left is gone, so the next
 * tick writes every document again (jobs/doc_memo.h). */
static void scorer_check_memo(mtw_scorer_city *c, mtw_redis_link *rc)
{
    redisReply *r;

    if (rc == NULL || c->memo.n == 0) {
        return;
    }
    r = mtw_redis_command(rc, "EXISTS mtw:%s:docs:held", c->slug);
    if (r == NULL || r->type != REDIS_REPLY_INTEGER || r->integer == 0) {
        if (r != NULL) {
            mtw_info("scoring %s: Redis no longer holds the documents "
                     "written; writing them all", c->slug);
        }
        mtw_doc_memo_clear(&c->memo);
        c->memo.npend = 0;
    }
    if (r != NULL) {
        freeReplyObject(r);
    }
}

void mtw_scorer_votes(mtw_scorer *s, mtw_redis_link *rc, const char *slug,
                      int64_t wall)
{
    mtw_scorer_city *c = s != NULL ? scorer_city(s, slug) : NULL;

    if (c == NULL) {
        return;
    }
    scorer_check_memo(c, rc);
    scorer_read_feedback(c, rc, wall);
    if (!c->have_row || c->run_date == 0) {
        return;
    }
    /* the scoring connection as the tick left it: a broken one is the
     * history's to re-establish (without blocking), not this job's */
    if (s->pg == NULL || PQstatus(s->pg) != CONNECTION_OK) {
        return;
    }
    mtw_votes_tick(&c->votes, rc, s->pg, c->row.id, c->slug, c->run_date,
                   s->cfg->feedback_archive_sec, wall);
}

void mtw_scorer_hook(void *ud, const mtw_city *city, mtw_redis_tx *tx,
                     int64_t now)
{
    mtw_scorer *s = ud;
    mtw_scorer_city *c = scorer_city(s, city->slug);
    const mtw_schedule *sched;
    mtw_live *live;
    mtw_tick *t;
    mtw_doc_set set;
    mtw_doc_ctx dc;
    mtw_doc_vstates vstates;
    size_t vstate_bytes = 0;
    unsigned what = MTW_DOCS_LIVE;
    int new_sched;
    double t0 = cpu_ms(), t1, t2;
    tx_sink_state sink;
    int static_due;
    size_t i;
    int cities = 0;

    if (c == NULL) {
        return;
    }
    scorer_refresh(s, c, now);
    sched = c->sched != NULL ? c->sched : scorer_empty(c, now);
    if (sched == NULL) {
        mtw_warn("scoring %s: out of memory", c->slug);
        return;
    }
    live = mtw_live_from_snapshots(
        mtw_feed_good(&city->feed[MTW_FEED_VEHICLES]),
        mtw_feed_good(&city->feed[MTW_FEED_TRIPS]),
        mtw_feed_good(&city->feed[MTW_FEED_ALERTS]));
    if (live == NULL) {
        mtw_warn("scoring %s: out of memory", c->slug);
        return;
    }
    t1 = cpu_ms();
    t = mtw_tick_run_in(&c->room, sched, live, now, &s->params);
    t2 = cpu_ms();
    if (t == NULL) {
        mtw_live_free(live);
        mtw_warn("scoring %s: out of memory in the tick", c->slug);
        return;
    }
    /* history hook (jobs/history.h): arrivals, bunching, daily aggregate */
    if (c->have_row && c->sched != NULL
        && mtw_histlog_tick(&c->log, s->pg, c->row.id, c->slug, t,
                            &s->params.otp) > 0)
    {
        scorer_reload_history(s, c);
    }
    if (c->have_row && c->sched != NULL) {
        mtw_histlog_mirror(&c->log, tx, c->slug);
    }
    /* due by the clock, or built from snapshots that have changed since
     * (a feed clock that stops moving still gets its new data scored);
     * the live model keeps the snapshots' header times (0: none) */
    if (c->scored_at == 0 || now - c->scored_at >= s->cfg->score_sec
        || now < c->scored_at || live->vehicles_ts != c->scored_vts
        || live->trips_ts != c->scored_tts)
    {
        what |= MTW_DOCS_SCORE;
    }
    memset(&dc, 0, sizeof(dc));
    dc.city = c->slug;
    dc.bufs = &c->bufs;
    dc.now = now;
    dc.poll_sec = s->cfg->poll_sec;
    dc.system_median = 75.0;
    if (c->hist != NULL) {
        dc.history = c->hist->rows;
        dc.nhistory = c->hist->n;
        dc.system_median = c->hist->system_median;
        dc.day_change = c->hist->day_change;
        dc.history_loads = c->hist_loads;
    }
    if (c->feedback_read) {
        dc.feedback = c->feedback;      /* never NULL once read */
        dc.nfeedback = c->nfeedback;
    }
    new_sched = c->marks.sched != sched;
    if (new_sched) {
        /* a new schedule: the old marks index another stop list */
        mtw_publisher_free(&c->marks);
        mtw_publisher_init(&c->marks);
        c->marks.sched = sched;
        c->marks.stops = calloc(sched->nstops + 1, 1);
        c->marks.routes = calloc(sched->nroutes + 1, 1);
    }
    /* a new connection may be to a Redis that lost everything (restarted
     * without persistence, a replaced cache node): the stop keys and the
     * cities with it */
    static_due = c->sched != NULL && (c->stops_at == 0
                                      || now - c->stops_at >= STATIC_EVERY_SEC
                                      || now < c->stops_at
                                      || tx->conn != c->static_conn);
    if (static_due) {
        tx_stop_keys(tx, c->slug, c->sched);
    }
    /* unchanged documents are not written again; all of them are with
     * the static ones (a new connection, and every STATIC_EVERY_SEC) */
    mtw_doc_memo_settle(&c->memo, city->publishes, tx->conn);
    if (static_due || new_sched) {
        /* (the predictions are remembered by their inputs, stop indexes
         * among them, which a new schedule renumbers) */
        mtw_doc_memo_clear(&c->memo);
    }
    if (c->memo.n == 0) {
        /* every document is written: the marker scorer_check_memo()
         * looks for afterwards */
        const char *argv[3] = { "SET", NULL, "1" };

        argv[1] = mtw_redis_tx_fmt(tx, "mtw:%s:docs:held", c->slug);
        mtw_redis_tx_cmd(tx, 3, argv, NULL);
    }
    if (mtw_doc_vstates_build(&vstates, t, &dc) != 0) {
        mtw_warn("scoring %s: out of memory building vehicle states",
                 c->slug);
        mtw_doc_vstates_free(&vstates);
        mtw_tick_free(t);
        mtw_live_free(live);
        return;
    }
    dc.vstates = &vstates;
    tx_vstates(tx, c->slug, &vstates, &vstate_bytes);
    mtw_doc_set_init(&set);
    sink.tx = tx;
    sink.slug = c->slug;
    sink.pending = 0;
    sink.memo = &c->memo;
    set.sink = tx_sink;
    set.held = tx_held;
    set.held_ix = tx_held_ix;
    set.sink_ud = &sink;
    if (c->marks.stops == NULL || c->marks.routes == NULL
        || mtw_docs_build_tick(&set, t, &dc, what, c->marks.routes,
                               c->marks.stops) != 0
        || (static_due
            && scorer_static_docs(s, c, &set, now, &cities) != 0))
    {
        mtw_warn("scoring %s: out of memory building documents", c->slug);
        mtw_doc_set_free(&set);
        mtw_doc_vstates_free(&vstates);
        mtw_tick_free(t);
        mtw_live_free(live);
        return;
    }
    if (cities) {
        const char *argv[3] = { "SADD", "mtw:cities", c->slug };

        mtw_redis_tx_cmd(tx, 3, argv, NULL);
        c->stops_at = now;
        c->static_conn = tx->conn;
    }
    /* remember what is live now, to empty it when it goes away */
    memset(c->marks.stops, 0, sched->nstops);
    memset(c->marks.routes, 0, sched->nroutes);
    for (i = 0; i < sched->nstops; i++) {
        c->marks.stops[i] = t->stop_count[i] > 0;
    }
    for (i = 0; i < t->ngroups; i++) {
        if (t->groups[i].route >= 0) {
            c->marks.routes[t->groups[i].route] = 1;
        }
    }
    if (what & MTW_DOCS_SCORE) {
        c->scored_at = now;
        c->scored_vts = live->vehicles_ts;
        c->scored_tts = live->trips_ts;
    }
    s->last_tick_ms = cpu_ms() - t0;
    mtw_debug("scored %s: %zu vehicles, %zu route-directions, %zu "
              "predictions, %zu documents (%zu KiB) written, %zu "
              "unchanged not (%zu of them not even built, the others "
              "%zu KiB); CPU ms: live state %.1f, tick %.1f, documents "
              "and queueing %.1f, total %.1f",
              c->slug, t->nv, t->ngroups, t->npreds,
              set.sunk - (c->memo.skipped - set.held_n),
              (set.sunk_bytes - c->memo.skipped_bytes + vstate_bytes)
              / 1024,
              c->memo.skipped, set.held_n, c->memo.skipped_bytes / 1024,
              t1 - t0,
              t2 - t1, s->last_tick_ms - (t2 - t0), s->last_tick_ms);
    mtw_doc_set_free(&set);
    mtw_doc_vstates_free(&vstates);
    mtw_tick_free(t);
    mtw_live_free(live);
}
