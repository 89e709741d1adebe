/*
 * history.c - history writes of the running worker (see history.h).
 */
#include "jobs/history.h"
#include "score/calendar.h"
#include "store/history_pg.h"
#include "store/history_wire.h"
#include "store/pg.h"
#include "store/schedule_pg.h"
#include "util/log.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#define RETRY_MIN_MS 1000.0
#define RETRY_MAX_MS 30000.0
#define FLUSH_MAX 4000          /* arrivals per tick: bounds a catch-up */
#define RESET_STEPS 16          /* PQresetPoll steps per tick at most */

void mtw_histlog_free(mtw_histlog *h)
{
    size_t na, nb;

    if (h->pending != NULL) {
        mtw_histq_arrivals(h->pending, &na);
        mtw_histq_bunching(h->pending, &nb);
        if (na > 0 || nb > 0) {
            mtw_warn("history: stopping with %zu arrivals and %zu bunching "
                     "incidents never committed", na, nb);
        }
    }
    mtw_arrivals_free(h->arrivals);
    mtw_bunch_state_free(h->bunching);
    mtw_exceptions_free(h->exceptions);
    mtw_tu_arrivals_free(h->tu_arrivals);
    mtw_histq_free(h->pending);
    h->arrivals = NULL;
    h->bunching = NULL;
    h->exceptions = NULL;
    h->tu_arrivals = NULL;
    h->pending = NULL;
}

static int histlog_queue(mtw_histlog *h)
{
    if (h->pending == NULL) {
        h->pending = mtw_histq_create(MTW_HISTQ_MAX_ARRIVALS,
                                      MTW_HISTQ_MAX_BUNCHING);
    }
    return h->pending != NULL ? 0 : -1;
}

static void histlog_backoff(mtw_histlog *h, const char *slug, PGconn *pg)
{
    char why[256], *c;
    size_t na, nb;

    snprintf(why, sizeof(why), "%s",
             pg != NULL ? PQerrorMessage(pg) : "no connection");
    for (c = why; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t') {
            *c = c[1] != '\0' ? ' ' : '\0';
        }
    }
    h->backoff_ms = h->backoff_ms < RETRY_MIN_MS ? RETRY_MIN_MS
                    : h->backoff_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS
                    : h->backoff_ms * 2;
    h->retry_at_ms = mono_ms() + h->backoff_ms;
    mtw_histq_arrivals(h->pending, &na);
    mtw_histq_bunching(h->pending, &nb);
    mtw_warn("history %s: cannot reach PostgreSQL (%s); %zu arrivals and "
             "%zu bunching incidents kept, retrying in %.0f s", slug, why,
             na, nb, h->backoff_ms / 1e3);
}

/*
 * The connection this tick may write with, or NULL.  A broken one is reset
 * without blocking: each tick advances the handshake as far as its socket
 * allows at once (poll with a zero timeout), so the poll loop never waits
 * for a database that is down.
 */
static PGconn *histlog_conn(mtw_histlog *h, PGconn *pg, const char *slug)
{
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    struct pollfd pfd;
    int step;

    if (pg == NULL) {
        h->resetting = 0;
        return NULL;        /* the scorer connects again by itself */
    }
    if (PQstatus(pg) == CONNECTION_OK) {
        if (h->resetting || h->backoff_ms > 0) {
            mtw_info("history %s: PostgreSQL is back", slug);
        }
        h->resetting = 0;
        h->backoff_ms = 0;
        return pg;
    }
    if (PQstatus(pg) == CONNECTION_BAD) {
        if (h->resetting) {
            h->resetting = 0;
            histlog_backoff(h, slug, pg);
            return NULL;
        }
        if (mono_ms() < h->retry_at_ms) {
            return NULL;
        }
        if (!PQresetStart(pg)) {
            histlog_backoff(h, slug, pg);
            return NULL;
        }
        h->resetting = 1;
        h->reset_wait = PGRES_POLLING_WRITING;
    } else if (!h->resetting) {
        return NULL;        /* another city's reset is under way */
    }
    for (step = 0; step < RESET_STEPS; step++) {
        pfd.fd = PQsocket(pg);
        pfd.events = h->reset_wait == PGRES_POLLING_READING ? POLLIN
                                                             : POLLOUT;
        pfd.revents = 0;
        if (pfd.fd < 0 || poll(&pfd, 1, 0) == 0) {
            return NULL;    /* not ready: the next tick goes on */
        }
        st = PQresetPoll(pg);
        if (st == PGRES_POLLING_OK) {
            return histlog_conn(h, pg, slug);
        }
        if (st == PGRES_POLLING_FAILED) {
            h->resetting = 0;
            histlog_backoff(h, slug, pg);
            return NULL;
        }
        h->reset_wait = st;
    }
    return NULL;
}

/* writes what waits, oldest first; a failed write keeps it all queued */
/* what one flush wrote: rows sent and rows new, by kind */
typedef struct {
    size_t arrivals, exceptions, bunching;
    long new_arrivals, new_exceptions, new_bunching;
} histlog_written;

/* writes what waits, oldest first; a failed write keeps it all queued */
static void histlog_flush(mtw_histlog *h, PGconn *pg, int city_id,
                          const char *slug, histlog_written *o)
{
    const mtw_arrival *arr;
    const mtw_bunching *bun;
    size_t n, wb, i;
    long ins_b;
    char err[512];

    memset(o, 0, sizeof(*o));
    arr = mtw_histq_arrivals(h->pending, &n);
    if (n > FLUSH_MAX) {
        n = FLUSH_MAX;
    }
    if (n > 0) {
        o->new_arrivals = mtw_histpg_arrivals(pg, city_id, arr, n,
                                              &o->new_exceptions, err,
                                              sizeof(err));
        if (o->new_arrivals < 0) {
            mtw_warn("history %s: %s (arrivals kept for a retry)", slug,
                     err);
            memset(o, 0, sizeof(*o));
            return;
        }
        for (i = 0; i < n; i++) {
            o->exceptions += MTW_ARR_IS_EXCEPTION(arr[i].source) ? 1 : 0;
        }
        o->arrivals = n - o->exceptions;
        mtw_histq_done_arrivals(h->pending, n);
        h->logged += o->new_arrivals;
    }
    bun = mtw_histq_bunching(h->pending, &wb);
    if (wb > 0) {
        ins_b = mtw_histpg_bunching(pg, city_id, bun, wb, err, sizeof(err));
        if (ins_b < 0) {
            mtw_warn("history %s: %s (incidents kept for a retry)", slug,
                     err);
            return;
        }
        mtw_histq_done_bunching(h->pending, wb);
        h->incidents += ins_b;
        o->bunching = wb;
        o->new_bunching = ins_b;
    }
}

/* yesterday's aggregate, once per run date, when it is not there yet;
 * 1 when written */
static int histlog_daily(mtw_histlog *h, PGconn *pg, int city_id,
                          const char *slug, int run_date,
                          const mtw_otp_window *w)
{
    int day = mtw_date_add(run_date, -1), done;
    char err[512];
    long routes;

    if (h->aggregated_for == run_date) {
        return 0;
    }
    done = mtw_histpg_day_done(pg, city_id, day, err, sizeof(err));
    if (done < 0) {
        mtw_warn("history %s: %s", slug, err);
        return 0;       /* tried again next tick */
    }
    h->aggregated_for = run_date;
    if (done) {
        return 0;
    }
    routes = mtw_histpg_aggregate(pg, city_id, day, w, err, sizeof(err));
    if (routes < 0) {
        mtw_warn("history %s: %s", slug, err);
        h->aggregated_for = 0;
        return 0;
    }
    mtw_info("history %s: daily performance of %d aggregated (%ld routes)",
             slug, day, routes);
    return routes > 0;
}

/* n detected rows into the queue, after those queued before; the oldest
 * dropped to stay in the cap add up in *drops, -1 (out of memory) stays */
static void queue_rows(mtw_histlog *h, const mtw_arrival *rows, long n,
                       long *drops)
{
    long d;

    if (n <= 0 || *drops < 0) {
        return;
    }
    d = mtw_histq_add_arrivals(h->pending, rows, (size_t) n);
    *drops = d < 0 ? -1 : *drops + d;
}

int mtw_histlog_tick(mtw_histlog *h, PGconn *pg, int city_id,
                      const char *slug, const mtw_tick *t,
                      const mtw_otp_window *w)
{
    const mtw_arrival *arr, *tua, *exc;
    const mtw_bunching *bun;
    histlog_written wr;
    long na, nt, nb, ne, drop_a = 0, drop_b = 0;
    size_t qa, qb;
    double t0, ms;
    long i;
    int daily;

    if (h->arrivals == NULL) {
        h->arrivals = mtw_arrivals_create();
    }
    if (h->bunching == NULL) {
        h->bunching = mtw_bunch_state_create();
    }
    if (h->exceptions == NULL) {
        h->exceptions = mtw_exceptions_create();
    }
    if (h->tu_arrivals == NULL) {
        h->tu_arrivals = mtw_tu_arrivals_create();
    }
    if (h->arrivals == NULL || h->bunching == NULL || h->exceptions == NULL
        || h->tu_arrivals == NULL || histlog_queue(h) != 0)
    {
        mtw_warn("history %s: out of memory", slug);
        return 0;
    }
    /* the vehicles first: a run one takes over starts after what the
     * trip-update rules reported for it */
    mtw_arrivals_after(h->arrivals, h->tu_arrivals);
    na = mtw_arrivals_step(h->arrivals, t, &arr);
    nt = mtw_tu_arrivals_step(h->tu_arrivals, t, &tua);
    nb = mtw_bunching_step(h->bunching, t, &bun);
    ne = mtw_exceptions_step(h->exceptions, t, &exc);
    if (na < 0 || nt < 0 || nb < 0 || ne < 0) {
        mtw_warn("history %s: out of memory detecting arrivals", slug);
    }
    /* the vehicles' arrivals, the runs no vehicle is matched to (from
     * their trip updates), and the feed's cancellations and skipped stops
     * (written to service_exception) share one queue */
    queue_rows(h, arr, na, &drop_a);
    queue_rows(h, tua, nt, &drop_a);
    queue_rows(h, exc, ne, &drop_a);
    na = (na > 0 ? na : 0) + (nt > 0 ? nt : 0);
    if (nb > 0) {
        drop_b = mtw_histq_add_bunching(h->pending, bun, (size_t) nb);
    }
    if (drop_a < 0 || drop_b < 0) {
        mtw_warn("history %s: out of memory queueing %ld arrivals and %ld "
                 "bunching incidents (lost)", slug, na, nb);
    }
    if (drop_a > 0 || drop_b > 0) {
        h->dropped += (drop_a > 0 ? drop_a : 0) + (drop_b > 0 ? drop_b : 0);
        mtw_warn("history %s: queue full (%d arrivals, %d incidents): "
                 "dropped the oldest %ld arrivals and %ld incidents (%ld "
                 "since start)", slug, MTW_HISTQ_MAX_ARRIVALS,
                 MTW_HISTQ_MAX_BUNCHING, drop_a > 0 ? drop_a : 0,
                 drop_b > 0 ? drop_b : 0, h->dropped);
    }
    for (i = 0; i < nb; i++) {
        mtw_debug("history %s: bunching episode opened on route %s "
                  "direction %d at %lld%s", slug, bun[i].route_id,
                  bun[i].direction, (long long) bun[i].detected_at,
                  bun[i].resumable ? " (first sight: may continue a "
                  "recorded one)" : "");
    }
    mtw_histq_arrivals(h->pending, &qa);
    mtw_histq_bunching(h->pending, &qb);
    if (na > 0 || nb > 0 || ne > 0) {
        mtw_debug("history %s: %ld arrivals, %ld bunching episodes "
                  "detected, %ld service exceptions (%zu, %zu queued)", slug,
                  na, nb, ne, qa, qb);
    }
    pg = histlog_conn(h, pg, slug);
    if (pg == NULL) {
        return 0;       /* kept in the queue for a later tick */
    }
    t0 = mono_ms();
    histlog_flush(h, pg, city_id, slug, &wr);
    daily = PQstatus(pg) == CONNECTION_OK
            ? histlog_daily(h, pg, city_id, slug, t->s->run_date, w) : 0;
    ms = mono_ms() - t0;
    if (ms > h->max_write_ms) {
        h->max_write_ms = ms;
    }
    if (wr.arrivals > 0 || wr.exceptions > 0 || wr.bunching > 0) {
        mtw_debug("history %s: %zu arrivals (%ld new), %zu service "
                  "exceptions (%ld new), %zu bunching episodes (%ld new) "
                  "written in %.2f ms (slowest %.2f ms; %ld arrivals, %ld "
                  "incidents since start)", slug, wr.arrivals,
                  wr.new_arrivals, wr.exceptions, wr.new_exceptions,
                  wr.bunching, wr.new_bunching, ms, h->max_write_ms,
                  h->logged, h->incidents);
    }
    return daily;
}

void mtw_histlog_mirror(mtw_histlog *h, mtw_redis_tx *tx, const char *slug)
{
    const mtw_arrival *a;
    const mtw_bunching *b;
    const char **argv, *key, *one[3];
    size_t *lens, na = 0, nb = 0, i, n;
    mtw_jbuf w;
    char *copy;

    if (h->pending != NULL) {
        a = mtw_histq_arrivals(h->pending, &na);
        b = mtw_histq_bunching(h->pending, &nb);
    } else {
        a = NULL;
        b = NULL;
    }
    if (h->dropped > h->dropped_told) {
        one[0] = "INCRBY";
        one[1] = mtw_redis_tx_fmt(tx, "mtw:%s:history:dropped", slug);
        one[2] = mtw_redis_tx_fmt(tx, "%ld", h->dropped - h->dropped_told);
        mtw_redis_tx_cmd(tx, 3, one, NULL);
        h->dropped_told = h->dropped;
    }
    if (na + nb == 0 && !h->mirrored) {
        return;                 /* the usual case: nothing waits */
    }
    key = mtw_redis_tx_fmt(tx, "mtw:%s:history:pending", slug);
    one[0] = "DEL";
    one[1] = key;
    mtw_redis_tx_cmd(tx, 2, one, NULL);
    h->mirrored = 0;
    if (na + nb == 0) {
        return;
    }
    argv = mtw_arena_alloc(tx->scratch, (na + nb + 2) * sizeof(*argv));
    lens = mtw_arena_alloc(tx->scratch, (na + nb + 2) * sizeof(*lens));
    if (argv == NULL || lens == NULL) {
        return;
    }
    argv[0] = "RPUSH";
    argv[1] = key;
    lens[0] = 5;
    lens[1] = strlen(key);
    n = 2;
    mtw_jbuf_init(&w);
    for (i = 0; i < na + nb; i++) {
        if (i < na) {
            mtw_histwire_arrival(&w, &a[i]);
        } else {
            mtw_histwire_bunching(&w, &b[i - na]);
        }
        copy = w.failed ? NULL : mtw_arena_alloc(tx->scratch, w.len + 1);
        if (copy == NULL) {
            continue;
        }
        memcpy(copy, w.buf, w.len + 1);
        argv[n] = copy;
        lens[n++] = w.len;
    }
    mtw_jbuf_free(&w);
    if (n > 2) {
        mtw_redis_tx_cmd(tx, (int) n, argv, lens);
        h->mirrored = 1;
    }
}

long mtw_histlog_recover(mtw_histlog *h, mtw_redis_link *rc, const char *slug)
{
    redisReply *r;
    long na = 0, nb = 0;
    size_t i;
    int k;

    if (rc == NULL || histlog_queue(h) != 0) {
        return -1;
    }
    r = mtw_redis_command(rc, "LRANGE mtw:%s:history:pending 0 -1", slug);
    if (r == NULL) {
        return -1;
    }
    if (r->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < r->elements; i++) {
            if (r->element[i]->type != REDIS_REPLY_STRING) {
                continue;
            }
            k = mtw_histwire_parse(r->element[i]->str, r->element[i]->len,
                                   h->pending);
            na += k == 1;
            nb += k == 2;
        }
        if (r->elements > 0) {
            /* the mirror now holds them too: rewritten by the next tick */
            h->mirrored = 1;
            mtw_info("history %s: %ld arrivals and %ld bunching incidents "
                     "left by the previous worker, queued for PostgreSQL",
                     slug, na, nb);
        }
    }
    freeReplyObject(r);
    return na + nb;
}

long mtw_histlog_aggregate(const char *database_url, const char *slug,
                           int ymd, const mtw_otp_window *w, char *err,
                           size_t errlen)
{
    mtw_city_row row;
    PGconn *pg;
    long routes;
    int found;

    pg = mtw_pg_connect(database_url, err, errlen);
    if (pg == NULL) {
        return -1;
    }
    found = mtw_city_load(pg, slug, &row, err, errlen);
    if (found <= 0) {
        if (found == 0) {
            snprintf(err, errlen, "no city '%s' in the city table", slug);
        }
        mtw_pg_close(pg);
        return -1;
    }
    routes = mtw_histpg_aggregate(pg, row.id, ymd, w, err, errlen);
    mtw_pg_close(pg);
    return routes;
}
