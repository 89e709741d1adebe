/*
 * cmd/run.c - `mtw-worker run`: the daemon.
 *
 * One event loop, one thread: for every city it serves, hold the city's
 * lease, start the feed fetches that are due (libcurl multi), decode what
 * arrives, and publish the city's live state plus the tick hooks' documents
 * in one Redis transaction.  Redis being away never stops the polling: the
 * state is republished when it returns.  SIGTERM/SIGINT finish the tick
 * (transfers in flight get a short grace), release the leases and exit 0;
 * SIGHUP re-reads the configuration (--config FILE) and applies it.
 */
#include "config.h"
#include "feed/http.h"
#include "jobs/chores.h"
#include "jobs/cities.h"
#include "jobs/envfile.h"
#include "jobs/heartbeat.h"
#include "jobs/history.h"
#include "jobs/ingest.h"
#include "jobs/lease.h"
#include "jobs/publish_rt.h"
#include "score/idmap.h"
#include "store/redis_conn.h"
#include "store/redis_url.h"
#include "util/cli.h"
#include "util/log.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "feed/readfile.h"
#include "jobs/scorer.h"   /* scoring hook (issue 5) */
#include "score/calendar.h"     /* --aggregate DATE */

#define RUN_MAX_CITIES      64
#define RUN_STOP_GRACE_MS   1500    /* transfers in flight at SIGTERM */
#define RUN_REDIS_TIMEOUT_MS 1000

static volatile sig_atomic_t run_stop;
static volatile sig_atomic_t run_reload;

static void run_on_signal(int sig)
{
    if (sig == SIGHUP) {
        run_reload = 1;
    } else {
        run_stop = 1;
    }
}

typedef struct {
    mtw_config       cfg;
    mtw_ingest_opts  opts;
    mtw_city_spec    spec[RUN_MAX_CITIES];
    int              n_spec;
    mtw_redis_addr   redis;
    long             connect_timeout_ms;
    long             timeout_ms;
    long             gtfs_reload_sec;   /* MTW_GTFS_RELOAD_SEC, 0 off */
    long             retention_days;    /* MTW_RETENTION_DAYS, 0 off */
    char             metrics_ns[256];   /* MTW_METRICS_NAMESPACE, "" off */
} run_settings;

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int env_long(const char *name, long min, long max, long *out,
                    char *err, size_t errlen)
{
    const char *v = getenv(name);

    if (v == NULL || *v == '\0') {
        return 0;
    }
    if (mtw_cli_parse_long(v, min, max, out) != 0) {
        snprintf(err, errlen, "%s must be a whole number between %ld and "
                 "%ld, not '%s'", name, min, max, v);
        return -1;
    }
    return 0;
}

/* Environment (+ config file) + flags -> settings.  0 or -1 with err. */
static int run_load(run_settings *s, const char *config_file,
                    const char *city_flag, char *err, size_t errlen)
{
    const char *city, *urls[MTW_FEED_KINDS];
    mtw_city_spec *sp;
    char dberr[256];
    int n, k, any = 0;

    memset(s, 0, sizeof(*s));
    if (config_file != NULL
        && mtw_envfile_apply(config_file, err, errlen) != 0)
    {
        return -1;
    }
    if (mtw_config_load(&s->cfg, err, (unsigned) errlen) != 0
        || mtw_ingest_opts_load(&s->opts, s->cfg.poll_sec,
                                s->cfg.clock == MTW_CLOCK_FEED,
                                err, errlen) != 0)
    {
        return -1;
    }
    s->connect_timeout_ms = 3000;
    s->timeout_ms = 10000;
    s->gtfs_reload_sec = 86400;
    s->retention_days = 0;
    if (env_long("MTW_HTTP_CONNECT_TIMEOUT_MS", 10, 600000,
                 &s->connect_timeout_ms, err, errlen) != 0
        || env_long("MTW_HTTP_TIMEOUT_MS", 10, 600000, &s->timeout_ms,
                    err, errlen) != 0
        || env_long("MTW_GTFS_RELOAD_SEC", 0, 31 * 86400,
                    &s->gtfs_reload_sec, err, errlen) != 0
        || env_long("MTW_RETENTION_DAYS", 0, 36500, &s->retention_days, err,
                    errlen) != 0)
    {
        return -1;
    }
    city = getenv("MTW_METRICS_NAMESPACE");
    if (city != NULL && *city != '\0') {
        if (!mtw_metrics_namespace_valid(city)) {
            snprintf(err, errlen, "MTW_METRICS_NAMESPACE must be 1-255 of "
                     "[A-Za-z0-9._/#:-], not starting with AWS/");
            return -1;
        }
        snprintf(s->metrics_ns, sizeof(s->metrics_ns), "%s", city);
    }
    if (mtw_redis_addr_make(&s->cfg, &s->redis, err, (unsigned) errlen) != 0)
    {
        return -1;
    }
    city = city_flag != NULL ? city_flag : s->cfg.city;
    if (city == NULL) {
        /* multi-city deploy: every active row of the city table */
        n = mtw_cities_load(s->cfg.database_url, s->spec, RUN_MAX_CITIES,
                            dberr, sizeof(dberr));
        if (n > 0) {
            s->n_spec = n;
            return 0;
        }
        mtw_warn("no cities from the city table (%s); serving "
                 "'saskatoon' from the environment",
                 n < 0 ? dberr : "no active city");
        city = "saskatoon";
    }
    /* single-city deploy: MTW_CITY + MTW_*_URL */
    if (!mtw_city_slug_valid(city)) {
        snprintf(err, errlen, "city '%s' is not a valid slug "
                 "([a-z0-9-]{1,32})", city);
        return -1;
    }
    sp = &s->spec[s->n_spec++];
    snprintf(sp->slug, sizeof(sp->slug), "%s", city);
    urls[MTW_FEED_VEHICLES] = s->cfg.vehicles_url;
    urls[MTW_FEED_TRIPS] = s->cfg.trips_url;
    urls[MTW_FEED_ALERTS] = s->cfg.alerts_url;
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        if (urls[k] == NULL) {
            continue;
        }
        if (strlen(urls[k]) >= MTW_URL_MAX) {
            snprintf(err, errlen, "feed URL longer than %d bytes",
                     MTW_URL_MAX - 1);
            return -1;
        }
        snprintf(sp->url[k], MTW_URL_MAX, "%s", urls[k]);
        any = 1;
    }
    if (!any && mtw_cities_lookup(s->cfg.database_url, sp, dberr,
                                  sizeof(dberr)) < 0)
    {
        mtw_debug("no feed URLs for %s in the city table: %s", city, dberr);
    }
    return 0;
}

typedef struct {
    run_settings         set;
    const char          *config_file;
    const char          *city_flag;
    mtw_city             city[RUN_MAX_CITIES];
    int                  n_city;
    mtw_http             http;
    mtw_redis            redis;
    mtw_arena            scratch;
    mtw_jbuf            buf;
    mtw_rt_publish_opts  pub;
    mtw_chores           chores;        /* reloads, retention (database) */
    char                 instance[160];
    char                 host[128];
    long                 workers;       /* live workers sharing cities */
    int64_t              workers_next_ms;   /* next count */
    char                 workers_key[48];   /* their registry ("" none) */
} run_state;

static void run_lease_key(const mtw_city *c, char *key, size_t n)
{
    snprintf(key, n, "mtw:%s:lease", c->slug);
}

/* the registry of the workers serving the same city list as this one */
static void run_workers_key(const run_state *st, char *key, size_t n)
{
    char slugs[RUN_MAX_CITIES * (MTW_CITY_SLUG_MAX + 1)];
    size_t len = 0, k;
    int i;

    /* the slugs, each with its NUL */
    for (i = 0; i < st->n_city; i++) {
        k = strlen(st->city[i].slug) + 1;
        memcpy(slugs + len, st->city[i].slug, k);
        len += k;
    }
    snprintf(key, n, "mtw:workers:%016llx",
             (unsigned long long) mtw_fnv1a64(slugs, len));
}

/* this worker's fair share of the cities: ceil(cities / live workers),
 * the count refreshed every tenth of a lease */
static int run_fair_share(run_state *st, int64_t now_ms)
{
    mtw_redis_link *rc;
    char key[sizeof(st->workers_key)];
    long n;

    if (now_ms >= st->workers_next_ms
        && (rc = mtw_redis_get(&st->redis, now_ms)) != NULL)
    {
        run_workers_key(st, key, sizeof(key));
        if (st->workers_key[0] != '\0'
            && strcmp(key, st->workers_key) != 0)
        {
            /* the city list changed (SIGHUP): another registry */
            mtw_workers_leave(rc, st->workers_key, st->instance);
        }
        memcpy(st->workers_key, key, sizeof(key));
        n = mtw_workers_alive(rc, key, st->instance,
                              st->set.opts.lease_ms);
        if (n < 0) {
            if (rc->err) {
                mtw_redis_fail(&st->redis, "workers");
            }
        } else {
            if (n != st->workers) {
                mtw_info("%ld worker%s sharing %d cit%s", n,
                         n == 1 ? "" : "s", st->n_city,
                         st->n_city == 1 ? "y" : "ies");
            }
            st->workers = n;
        }
        st->workers_next_ms = now_ms + st->set.opts.lease_ms / 10;
    }
    n = st->workers > 0 ? st->workers : 1;
    return (int) ((st->n_city + n - 1) / n);
}

/* Hands back one city above the fair share (workers joined): the last
 * held; another worker takes it at its next check. */
static void run_shed(run_state *st, int64_t now_ms, int held, int share)
{
    mtw_redis_link *rc;
    mtw_city *c;
    char key[80];
    int i;

    if (held <= share || (rc = mtw_redis_get(&st->redis, now_ms)) == NULL) {
        return;
    }
    for (i = st->n_city - 1; i >= 0; i--) {
        c = &st->city[i];
        if (c->lease != MTW_LEASE_HELD) {
            continue;
        }
        run_lease_key(c, key, sizeof(key));
        if (mtw_lease_release(rc, key, st->instance) < 0) {
            if (rc->err) {
                mtw_redis_fail(&st->redis, "lease");
            }
            return;
        }
        mtw_info("city %s: handed over (%d held, fair share %d)", c->slug,
                 held, share);
        c->lease = MTW_LEASE_STANDBY;
        /* not taken back before the others had their chance */
        c->lease_next_ms = now_ms + st->set.opts.lease_ms;
        return;
    }
}

/* Keeps or takes each city's lease when its check is due, up to the
 * fair share. */
static void run_leases(run_state *st, int64_t now_ms)
{
    mtw_redis_link *rc;
    mtw_city *c;
    char key[80];
    int i, r, held = 0, share;

    share = run_fair_share(st, now_ms);
    for (i = 0; i < st->n_city; i++) {
        held += st->city[i].lease == MTW_LEASE_HELD;
    }
    for (i = 0; i < st->n_city; i++) {
        c = &st->city[i];
        if (now_ms < c->lease_next_ms) {
            continue;
        }
        if (c->lease != MTW_LEASE_HELD && held >= share) {
            /* a full share: the others take this one */
            if (c->lease != MTW_LEASE_STANDBY) {
                mtw_info("city %s: left to another worker (fair share "
                         "%d held)", c->slug, share);
            }
            c->lease = MTW_LEASE_STANDBY;
            c->lease_next_ms = now_ms + st->set.opts.lease_ms / 10;
            continue;
        }
        rc = mtw_redis_get(&st->redis, now_ms);
        if (rc == NULL) {
            c->lease_next_ms = now_ms + 200;
            continue;
        }
        run_lease_key(c, key, sizeof(key));
        /* the deadline counts from before the call: the lease may have
         * been set any time during it */
        c->lease_until_ms = now_ms + st->set.opts.lease_ms;
        r = mtw_lease_acquire(rc, key, st->instance, st->set.opts.lease_ms);
        if (r < 0) {
            if (rc->err) {
                mtw_redis_fail(&st->redis, "lease");
            }
            c->lease_next_ms = now_ms + 200;
            continue;
        }
        if (r == 1 && c->lease != MTW_LEASE_HELD) {
            held++;
            mtw_info("city %s: this worker is active (lease %s)", c->slug,
                     st->instance);
            c->dirty = 1;
            mtw_scorer_recover(st->pub.hook_ud, rc, c->slug);
            if (rc->err) {
                mtw_redis_fail(&st->redis, "recovery");
                c->lease_next_ms = now_ms + 200;
                continue;
            }
        } else if (r == 0 && c->lease != MTW_LEASE_STANDBY) {
            held -= c->lease == MTW_LEASE_HELD;
            mtw_info("city %s: another worker is active; standing by",
                     c->slug);
        }
        c->lease = r == 1 ? MTW_LEASE_HELD : MTW_LEASE_STANDBY;
        /* the holder renews at a third of the period; a standby checks
         * often so it takes over soon after the lease lapses */
        c->lease_next_ms = now_ms + (r == 1 ? st->set.opts.lease_ms / 3
                                            : st->set.opts.lease_ms / 10);
    }
    run_shed(st, now_ms, held, share);
}

static void run_publish(run_state *st, int64_t now_ms, int force)
{
    mtw_city *c;
    int64_t wall = (int64_t) time(NULL);
    mtw_redis_link *votes_rc;
    int i, rc;

    for (i = 0; i < st->n_city; i++) {
        c = &st->city[i];
        if (c->lease != MTW_LEASE_HELD) {
            continue;
        }
        if (mono_ms() >= c->lease_until_ms) {
            /* stalled past the lease (a slow call, a paused process):
             * another worker may hold it now; check before anything */
            mtw_warn("city %s: lease not renewed in time; checking it "
                     "before publishing again", c->slug);
            c->lease = MTW_LEASE_UNKNOWN;
            c->lease_next_ms = now_ms;
            continue;
        }
        if (!force && !c->dirty
            && now_ms - c->published_ms < st->set.opts.poll_ms[0])
        {
            continue;
        }
        if (!mtw_city_settled(c, now_ms)) {
            continue;       /* a feed's first answer is still on its way */
        }
        if (mtw_redis_get(&st->redis, now_ms) == NULL) {
            continue;       /* republished once Redis is back */
        }
        rc = mtw_rt_publish(&st->redis, c, &st->pub,
                            mtw_city_now(c, &st->set.opts, wall), wall,
                            &st->scratch, &st->buf);
        if (rc == MTW_RT_LEASE_LOST) {
            mtw_warn("city %s: the lease is another worker's now; nothing "
                     "published, standing by", c->slug);
            c->lease = MTW_LEASE_STANDBY;
            c->lease_next_ms = now_ms + st->set.opts.lease_ms / 10;
            continue;
        }
        if (rc == 0) {
            c->dirty = 0;
            c->published_ms = now_ms;
            c->publishes++;
            votes_rc = mtw_redis_get(&st->redis, now_ms);
            mtw_scorer_votes(st->pub.hook_ud, votes_rc, c->slug, wall);
            if (votes_rc != NULL && votes_rc->err) {
                mtw_redis_fail(&st->redis, "votes");
            }
            if (st->set.metrics_ns[0] != '\0') {
                /* the tick is complete: CloudWatch heartbeat (EMF) */
                mtw_heartbeat_emit(st->set.metrics_ns, c->slug,
                                   wall_ms_now());
            }
        }
    }
}

static void run_collect(run_state *st, int64_t now_ms)
{
    mtw_fetch *f;
    mtw_feed_state *fs;
    int i, k;

    while ((f = mtw_http_done(&st->http)) != NULL) {
        fs = f->owner;
        for (i = 0; i < st->n_city; i++) {
            for (k = 0; k < MTW_FEED_KINDS; k++) {
                if (&st->city[i].feed[k] == fs) {
                    mtw_city_fetched(&st->city[i], fs, &st->set.opts,
                                     now_ms, (int64_t) time(NULL));
                }
            }
        }
    }
}

/* The new city list: keeps the state of cities still served, starts the
 * new ones, releases and frees the ones no longer served. */
static int run_apply(run_state *st, int64_t now_ms)
{
    static mtw_city next[RUN_MAX_CITIES];
    unsigned char kept[RUN_MAX_CITIES];
    mtw_redis_link *rc;
    char key[80];
    int i, j, n = 0, rcode = 0;

    memset(kept, 0, sizeof(kept));
    for (i = 0; i < st->set.n_spec; i++) {
        for (j = 0; j < st->n_city; j++) {
            if (!kept[j] && strcmp(st->city[j].slug,
                                   st->set.spec[i].slug) == 0)
            {
                break;
            }
        }
        if (j < st->n_city) {
            kept[j] = 1;
            next[n] = st->city[j];
            mtw_city_moved(&next[n]);
            if (mtw_city_update(&next[n], &st->set.spec[i], &st->set.opts,
                                &st->http, now_ms) != 0)
            {
                rcode = -1;
            }
            n++;
        } else if (mtw_city_init(&next[n], &st->set.spec[i], &st->set.opts,
                                 now_ms) == 0)
        {
            mtw_info("city %s: now served", next[n].slug);
            n++;
        } else {
            mtw_city_free(&next[n], &st->http);
            rcode = -1;
        }
    }
    for (j = 0; j < st->n_city; j++) {
        if (kept[j]) {
            continue;
        }
        rc = mtw_redis_get(&st->redis, now_ms);
        if (rc != NULL && st->city[j].lease == MTW_LEASE_HELD) {
            run_lease_key(&st->city[j], key, sizeof(key));
            mtw_lease_release(rc, key, st->instance);
        }
        mtw_info("city %s: no longer served", st->city[j].slug);
        mtw_city_free(&st->city[j], &st->http);
    }
    memcpy(st->city, next, (size_t) n * sizeof(next[0]));
    for (i = 0; i < n; i++) {
        mtw_city_moved(&st->city[i]);
    }
    st->n_city = n;
    return rcode;
}

static void run_reload_config(run_state *st, int64_t now_ms)
{
    static run_settings next;   /* large: off the stack */
    char err[512];

    if (run_load(&next, st->config_file, st->city_flag, err,
                 sizeof(err)) != 0)
    {
        mtw_error("reload failed, keeping the running configuration: %s",
                  err);
        return;
    }
    st->set = next;
    st->http.connect_timeout_ms = next.connect_timeout_ms;
    st->http.timeout_ms = next.timeout_ms;
    st->pub.poll_ms = next.opts.poll_ms[0];
    if (run_apply(st, now_ms) != 0) {
        mtw_error("reload: cannot apply the new configuration");
        return;
    }
    mtw_info("configuration reloaded");
}

static void run_release(run_state *st)
{
    mtw_redis_link *rc;
    char key[80];
    int i;

    rc = mtw_redis_get(&st->redis, mono_ms());
    for (i = 0; i < st->n_city; i++) {
        if (st->city[i].lease != MTW_LEASE_HELD || rc == NULL) {
            continue;
        }
        run_lease_key(&st->city[i], key, sizeof(key));
        if (mtw_lease_release(rc, key, st->instance) == 1) {
            mtw_info("city %s: lease released", st->city[i].slug);
        }
    }
    /* the others' fair share grows at once, not after a lease */
    if (rc != NULL && st->workers_key[0] != '\0') {
        mtw_workers_leave(rc, st->workers_key, st->instance);
    }
}

/* the static feeds' reloads and the retention, as child processes */
static void run_chores(run_state *st, int64_t now_ms)
{
    const char *slugs[RUN_MAX_CITIES];
    int i;

    if (st->set.cfg.database_url == NULL) {
        return;
    }
    for (i = 0; i < st->n_city; i++) {
        slugs[i] = st->city[i].slug;
    }
    mtw_chores_tick(&st->chores, slugs, st->n_city, now_ms);
}

static int run_loop(run_state *st)
{
    int64_t now_ms, stop_at = 0;
    long wait, w;
    int i;

    while (1) {
        now_ms = mono_ms();
        if (run_stop && stop_at == 0) {
            mtw_info("stopping: finishing the current tick");
            stop_at = now_ms + RUN_STOP_GRACE_MS;
        }
        if (stop_at != 0 && (st->http.running == 0 || now_ms >= stop_at)) {
            break;
        }
        if (run_reload) {
            run_reload = 0;
            run_reload_config(st, now_ms);
        }
        wait = 100;
        if (stop_at == 0) {
            run_leases(st, now_ms);
            for (i = 0; i < st->n_city; i++) {
                if (st->city[i].lease == MTW_LEASE_STANDBY) {
                    continue;
                }
                w = mtw_city_start_due(&st->city[i], &st->http, now_ms);
                if (w < wait) {
                    wait = w;
                }
            }
        }
        mtw_http_wait(&st->http, (int) (wait < 1 ? 1 : wait));
        now_ms = mono_ms();
        run_collect(st, now_ms);
        run_publish(st, now_ms, 0);
        if (stop_at == 0) {
            run_chores(st, now_ms);
        }
    }
    run_publish(st, mono_ms(), 0);
    run_release(st);
    return MTW_EXIT_OK;
}

/* --- replay: captured files instead of HTTP ------------------------------- */

/* a capture, read when its cycle comes (as a poll receives one body at a
 * time: the replay's memory is the worker's, not the folder's) */
typedef struct {
    long     stamp;         /* the number in the file name */
    char    *path;
    size_t   len;           /* its size when listed */
} replay_file;

typedef struct {
    replay_file *v;
    size_t       n;
} replay_list;

static int replay_cmp(const void *a, const void *b)
{
    const replay_file *x = a, *y = b;

    return x->stamp < y->stamp ? -1 : x->stamp > y->stamp;
}

static void replay_lists_free(replay_list *l)
{
    size_t i;
    int k;

    for (k = 0; k < MTW_FEED_KINDS; k++) {
        for (i = 0; i < l[k].n; i++) {
            free(l[k].v[i].path);
        }
        free(l[k].v);
    }
}

/* Lists DIR's VehiclePosition*.pb, TripUpdates*.pb and Alerts*.pb, each
 * read once to check it (at most max_body bytes, MTW_RT_MAX_BYTES, as over
 * the network). */
static int replay_load(const char *dir, long max_body, replay_list *l,
                       char *err, size_t errlen)
{
    static const char *const prefix[MTW_FEED_KINDS] = {
        "VehiclePosition", "TripUpdates", "Alerts"
    };
    char path[4096];
    struct dirent *de;
    replay_file *v;
    const char *p;
    uint8_t *bytes;
    size_t len;
    DIR *d;
    int k;

    memset(l, 0, sizeof(*l) * MTW_FEED_KINDS);
    d = opendir(dir);
    if (d == NULL) {
        snprintf(err, errlen, "cannot open the replay folder %s", dir);
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        for (k = 0; k < MTW_FEED_KINDS; k++) {
            if (strncmp(de->d_name, prefix[k], strlen(prefix[k])) != 0) {
                continue;
            }
            p = de->d_name + strlen(prefix[k]);
            if (*p == 's') {
                p++;        /* VehiclePositions */
            }
            v = realloc(l[k].v, (l[k].n + 1) * sizeof(*v));
            if (v == NULL) {
                closedir(d);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            l[k].v = v;
            v = &l[k].v[l[k].n];
            v->stamp = strtol(p, NULL, 10);
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            bytes = mtw_read_file(path, (size_t) max_body, &len, err,
                                  errlen);
            free(bytes);
            v->len = len;
            v->path = bytes != NULL ? strdup(path) : NULL;
            if (v->path == NULL) {
                if (bytes != NULL) {
                    snprintf(err, errlen, "out of memory");
                }
                closedir(d);
                return -1;
            }
            l[k].n++;
        }
    }
    closedir(d);
    for (k = 0; k < MTW_FEED_KINDS; k++) {
        qsort(l[k].v, l[k].n, sizeof(*l[k].v), replay_cmp);
    }
    if (l[MTW_FEED_VEHICLES].n == 0 && l[MTW_FEED_TRIPS].n == 0) {
        snprintf(err, errlen, "no VehiclePosition*.pb or TripUpdates*.pb "
                 "in %s", dir);
        return -1;
    }
    return 0;
}

static long rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
        }
    }
    fclose(f);
    return kb;
}

static double cpu_ms_now(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3
           + ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

/* Puts one captured body into a feed as if it had just been fetched. */
static void replay_feed(run_state *st, mtw_city *c, int k,
                        const replay_file *rf, int64_t now_ms)
{
    mtw_feed_state *f = &c->feed[k];
    uint8_t *body;
    size_t len;
    char err[512];

    if (f->fetch == NULL) {
        f->fetch = mtw_fetch_create("replay:", f);
        if (f->fetch == NULL) {
            return;
        }
    }
    body = mtw_read_file(rf->path, (size_t) st->set.opts.max_body, &len,
                         err, sizeof(err));
    if (body == NULL) {
        mtw_warn("replay: %s", err);
        return;
    }
    free(f->fetch->body);
    f->fetch->body = body;
    f->fetch->cap = len;
    f->fetch->len = len;
    f->fetch->result = MTW_FETCH_OK;
    f->attempts++;
    mtw_city_fetched(c, f, &st->set.opts, now_ms, (int64_t) time(NULL));
}

/*
 * Replays DIR's captures in order through the same decode and publish path
 * as the poller, one capture per cycle, as fast as it can, for `cycles`
 * cycles (wrapping around), then prints the cost per cycle and the memory
 * as JSON on stdout.
 */
static int run_replay(run_state *st, const char *dir, long cycles)
{
    replay_list l[MTW_FEED_KINDS];
    mtw_city *c = &st->city[0];
    const replay_file *vf;
    double cpu0 = 0, cpu1;
    long i, warm_at, rss_warm = -1, rss_mid = -1, rss_end, a, published = 0;
    int64_t now_ms;
    size_t nv, idx;
    char err[512];
    int k;

    if (replay_load(dir, st->set.opts.max_body, l, err, sizeof(err)) != 0) {
        fprintf(stderr, "mtw-worker run: %s\n", err);
        replay_lists_free(l);
        return MTW_EXIT_FAILURE;
    }
    nv = l[MTW_FEED_VEHICLES].n ? l[MTW_FEED_VEHICLES].n : l[MTW_FEED_TRIPS].n;
    if (cycles <= 0) {
        cycles = (long) nv;
    }
    /* steady state after one full pass (every capture size seen) */
    warm_at = cycles > 2 * (long) nv ? (long) nv : 0;
    for (i = 0; i < cycles && !run_stop; i++) {
        now_ms = mono_ms();
        if (i == warm_at + (cycles - warm_at) / 2) {
            rss_mid = rss_kb();
        }
        if (i == warm_at) {
            cpu0 = cpu_ms_now();
            rss_warm = rss_kb();
        }
        idx = (size_t) i % nv;
        if (idx == 0 && i > 0) {
            /* wrapping around: the captures' clock starts over */
            for (k = 0; k < MTW_FEED_KINDS; k++) {
                c->feed[k].good = -1;
            }
            c->last_header_ts = 0;
        }
        run_leases(st, now_ms);
        vf = l[MTW_FEED_VEHICLES].n ? &l[MTW_FEED_VEHICLES].v[idx] : NULL;
        if (vf != NULL) {
            replay_feed(st, c, MTW_FEED_VEHICLES, vf, now_ms);
        }
        if (l[MTW_FEED_TRIPS].n) {
            replay_feed(st, c, MTW_FEED_TRIPS,
                        &l[MTW_FEED_TRIPS].v[(size_t) i % l[MTW_FEED_TRIPS].n],
                        now_ms);
        }
        if (l[MTW_FEED_ALERTS].n) {
            /* the newest alerts captured at or before this step */
            for (a = (long) l[MTW_FEED_ALERTS].n - 1; a > 0; a--) {
                if (vf == NULL || l[MTW_FEED_ALERTS].v[a].stamp <= vf->stamp) {
                    break;
                }
            }
            if (idx == 0 || mtw_feed_good(&c->feed[MTW_FEED_ALERTS]) == NULL
                || mtw_feed_good(&c->feed[MTW_FEED_ALERTS])->body_bytes
                   != l[MTW_FEED_ALERTS].v[a].len)
            {
                replay_feed(st, c, MTW_FEED_ALERTS,
                            &l[MTW_FEED_ALERTS].v[a], now_ms);
            }
        }
        if (c->lease == MTW_LEASE_HELD) {
            run_publish(st, now_ms, 1);
            published += c->dirty == 0;
        }
    }
    cpu1 = cpu_ms_now();
    rss_end = rss_kb();
    run_release(st);
    printf("{\"cycles\":%ld,\"published\":%ld,\"cpu_ms_per_cycle\":%.4f,"
           "\"rss_kb_warm\":%ld,\"rss_kb_mid\":%ld,\"rss_kb_end\":%ld}\n",
           i, published, (cpu1 - cpu0) / (double) (i > warm_at ? i - warm_at : 1),
           rss_warm, rss_mid, rss_end);
    replay_lists_free(l);
    return MTW_EXIT_OK;
}

/* --aggregate DATE: the day's route_performance_daily, then exit */
static int run_aggregate(const run_settings *set, const char *date)
{
    mtw_otp_window otp = MTW_OTP_DEFAULT;
    char err[512];
    long routes;
    int ymd, i, rc = MTW_EXIT_OK;

    if (mtw_date_parse(date, &ymd) != 0) {
        fprintf(stderr, "mtw-worker run: --aggregate wants a date "
                "YYYY-MM-DD, not '%s'\n", date);
        return MTW_EXIT_USAGE;
    }
    for (i = 0; i < set->n_spec; i++) {
        routes = mtw_histlog_aggregate(set->cfg.database_url,
                                       set->spec[i].slug, ymd, &otp, err,
                                       sizeof(err));
        if (routes < 0) {
            fprintf(stderr, "mtw-worker run: %s: %s\n", set->spec[i].slug,
                    err);
            rc = MTW_EXIT_FAILURE;
            continue;
        }
        printf("{\"city\":\"%s\",\"service_date\":%d,\"routes\":%ld}\n",
               set->spec[i].slug, ymd, routes);
    }
    return rc;
}

static int run_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { "config", required_argument, NULL, 'f' },
        { "replay", required_argument, NULL, 'R' },
        { "cycles", required_argument, NULL, 'n' },
        { "aggregate", required_argument, NULL, 'A' },
        { NULL, 0, NULL, 0 }
    };
    static run_state st;    /* large: keep it off the stack */
    static mtw_scorer scorer;   /* scoring hook state (jobs/scorer.h) */
    struct sigaction sa;
    char err[512];
    const char *replay_dir = NULL, *aggregate = NULL;
    int chores;
    long cycles = 0;
    int c, status, i, rc;
    int64_t now_ms;

    memset(&st, 0, sizeof(st));
    st.config_file = getenv("MTW_CONFIG_FILE");
    if (st.config_file != NULL && *st.config_file == '\0') {
        st.config_file = NULL;
    }
    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'c') {
            st.city_flag = optarg;
        } else if (c == 'f') {
            st.config_file = optarg;
        } else if (c == 'A') {
            aggregate = optarg;
        } else if (c == 'R') {
            replay_dir = optarg;
        } else if (c == 'n'
                   && mtw_cli_parse_long(optarg, 1, 100000000, &cycles) != 0)
        {
            return mtw_cli_usage_error(cmd, "--cycles must be a whole "
                                       "number between 1 and 100000000");
        }
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (run_load(&st.set, st.config_file, st.city_flag, err,
                 sizeof(err)) != 0)
    {
        fprintf(stderr, "mtw-worker run: %s\n", err);
        return MTW_EXIT_USAGE;
    }
    if (aggregate != NULL) {
        return run_aggregate(&st.set, aggregate);
    }
    /* no chores for a replay, nor without a database */
    chores = replay_dir == NULL && st.set.cfg.database_url != NULL;
    if (mtw_chores_init(&st.chores, chores ? st.set.gtfs_reload_sec : 0,
                        chores ? st.set.retention_days : 0,
                        chores ? st.set.cfg.weather_sec : 0, err,
                        sizeof(err)) != 0)
    {
        fprintf(stderr, "mtw-worker run: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    if (mtw_http_init(&st.http, st.set.connect_timeout_ms,
                      st.set.timeout_ms, (size_t) st.set.opts.max_body) != 0)
    {
        fprintf(stderr, "mtw-worker run: cannot initialise libcurl\n");
        return MTW_EXIT_FAILURE;
    }
    if (gethostname(st.host, sizeof(st.host) - 1) != 0) {
        snprintf(st.host, sizeof(st.host), "localhost");
    }
    srand((unsigned) (time(NULL) ^ getpid()));
    snprintf(st.instance, sizeof(st.instance), "%s:%d:%08x", st.host,
             (int) getpid(), (unsigned) rand());
    mtw_redis_init(&st.redis, &st.set.redis, RUN_REDIS_TIMEOUT_MS);
    mtw_arena_init(&st.scratch, 0, 0);
    mtw_jbuf_init(&st.buf);
    st.pub.instance = st.instance;
    st.pub.host = st.host;
    st.pub.poll_ms = st.set.opts.poll_ms[0];
    /* scoring and documents: appended to each city's publish transaction */
    mtw_scorer_init(&scorer, &st.set.cfg);
    st.pub.hook = mtw_scorer_hook;
    st.pub.hook_ud = &scorer;

    now_ms = mono_ms();
    rc = MTW_EXIT_OK;
    for (i = 0; i < st.set.n_spec; i++) {
        if (mtw_city_init(&st.city[i], &st.set.spec[i], &st.set.opts,
                          now_ms) != 0)
        {
            fprintf(stderr, "mtw-worker run: out of memory\n");
            rc = MTW_EXIT_FAILURE;
        }
        st.n_city++;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = run_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (rc == MTW_EXIT_OK) {
        for (i = 0; i < st.n_city; i++) {
            mtw_info("worker started: city=%s vehicles=%s trips=%s "
                     "alerts=%s poll=%ldms clock=%s instance=%s",
                     st.city[i].slug,
                     st.set.spec[i].url[0][0] ? st.set.spec[i].url[0] : "-",
                     st.set.spec[i].url[1][0] ? st.set.spec[i].url[1] : "-",
                     st.set.spec[i].url[2][0] ? st.set.spec[i].url[2] : "-",
                     st.set.opts.poll_ms[0],
                     st.set.opts.feed_clock ? "feed" : "wall", st.instance);
        }
        rc = replay_dir != NULL ? run_replay(&st, replay_dir, cycles)
                                : run_loop(&st);
        mtw_info("worker stopped");
    }
    for (i = 0; i < st.n_city; i++) {
        mtw_city_free(&st.city[i], &st.http);
    }
    mtw_http_free(&st.http);
    mtw_redis_close(&st.redis);
    mtw_arena_free(&st.scratch);
    mtw_jbuf_free(&st.buf);
    mtw_scorer_free(&scorer);
    return rc;
}

const mtw_command mtw_cmd_run = {
    "run",
    "the daemon: poll feeds, score, predict, publish",
    "usage: mtw-worker run [--city SLUG] [--config FILE]\n"
    "                      [--replay DIR [--cycles N]] [--aggregate DATE]\n"
    "\n"
    "Runs until SIGTERM/SIGINT (finishes the tick, releases its leases,\n"
    "exits 0).  SIGHUP re-reads --config FILE and applies it.  Polls the\n"
    "GTFS-Realtime feeds of each city with conditional GETs, keeps the last\n"
    "good snapshot of each feed, and publishes the live state to Redis\n"
    "(docs/redis-contract.md).  One worker per city is active at a time\n"
    "(a Redis lease); others stand by and take over when it lapses.\n"
    "\n"
    "  --city SLUG    serve this city (default: $MTW_CITY; unset: every\n"
    "                 active city of the city table, with its feed URLs)\n"
    "  --config FILE  KEY=VALUE file of MTW_* settings, read at start and\n"
    "                 on SIGHUP (default: $MTW_CONFIG_FILE)\n"
    "  --replay DIR   instead of polling, replay DIR's captured\n"
    "                 VehiclePosition<t>.pb, TripUpdates<t>.pb, Alerts<t>.pb\n"
    "                 in order, one per cycle (each read when its cycle\n"
    "                 comes), as fast as possible, through the same decode\n"
    "                 and publish path; prints the CPU per cycle and the\n"
    "                 RSS as JSON (benchmarks, replays)\n"
    "  --cycles N     replay N cycles, wrapping around (default: one pass)\n"
    "  --aggregate DATE  instead of running, (re)compute DATE's (YYYY-MM-DD)\n"
    "                 route_performance_daily from arrival_log for each\n"
    "                 city served, print one JSON line per city, and exit\n"
    "                 (idempotent; the daemon does yesterday by itself)\n"
    "\n"
    "Environment (besides 'mtw-worker --help'):\n"
    "  MTW_POLL_MS                 vehicle poll period in ms (overrides\n"
    "                              MTW_POLL_SEC; for tests and replays)\n"
    "  MTW_TRIPS_POLL_SEC          TripUpdates period (default: the vehicle\n"
    "                              period; fractions allowed)\n"
    "  MTW_ALERTS_POLL_SEC         Alerts period (default: max(vehicle\n"
    "                              period, 30))\n"
    "  MTW_BACKOFF_MAX_SEC         cap of the retry backoff (120)\n"
    "  MTW_LEASE_MS                lease period in ms (30000); workers\n"
    "                              share the cities, each holding at most\n"
    "                              ceil(cities / live workers)\n"
    "  MTW_HTTP_CONNECT_TIMEOUT_MS connect timeout (3000)\n"
    "  MTW_HTTP_TIMEOUT_MS         whole-transfer timeout (10000)\n"
    "  MTW_RT_MAX_BYTES            largest feed body accepted (4194304);\n"
    "                              a larger one is refused, the last good\n"
    "                              snapshot kept\n"
    "  MTW_RT_MAX_ENTITIES         most entities in one feed (100000)\n"
    "  MTW_GTFS_RELOAD_SEC         reload each city's static feed from the\n"
    "                              URL it was loaded from this often\n"
    "                              (86400; 0 never): `gtfs-load --reload`\n"
    "                              as a child process, conditional, so an\n"
    "                              unchanged feed costs one request\n"
    "  MTW_RETENTION_DAYS          delete history older than this, daily\n"
    "                              (`prune --days`; 0, the default: keep)\n"
    "  MTW_WEATHER_SEC             each city's weather this often (3600;\n"
    "                              0 never): `weather --city` as a child\n"
    "                              process (Open-Meteo; MTW_WEATHER_URL)\n"
    "  MTW_METRICS_NAMESPACE       CloudWatch namespace: one EMF line\n"
    "                              (metric WorkerHeartbeat, dimension City)\n"
    "                              on stderr per completed tick of each\n"
    "                              city whose lease this worker holds\n"
    "                              (unset: none; terraform/README.md)\n",
    run_main
};
