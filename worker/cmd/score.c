/*
 * cmd/score.c - `mtw-worker score`: one scoring tick on demand.
 *
 * Loads a city's service-day schedule and 30-day route history from
 * PostgreSQL, takes a live state
 * (synthetic, from the schedule: score/synth.h), runs the tick (score,
 * predictions, documents) --repeat times and prints what it found and the
 * CPU time of each phase (medians), optionally publishing the documents to
 * Redis.  For diagnostics and bench/score.sh; `run` does the same every
 * MTW_SCORE_SEC on the real feeds.
 */
#include "config.h"
#include "docs/docs.h"
#include "jobs/publish.h"
#include "score/arrivals.h"
#include "score/exceptions.h"
#include "score/tu_arrivals.h"
#include "score/calendar.h"
#include "score/synth.h"
#include "score/tick.h"
#include "store/pg.h"
#include "store/schedule_pg.h"
#include "util/cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t) n, sizeof(*v), cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* "HH:MM[:SS]" local time on the service date, or "@EPOCH" */
static int parse_at(const char *s, int64_t base, int64_t *out)
{
    int hh, mm, ss = 0, n = 0;

    if (s[0] == '@') {
        char *end;
        long long v = strtoll(s + 1, &end, 10);

        if (*end != '\0' || end == s + 1) {
            return -1;
        }
        *out = v;
        return 0;
    }
    if ((sscanf(s, "%d:%d:%d%n", &hh, &mm, &ss, &n) == 3
         || sscanf(s, "%d:%d%n", &hh, &mm, &n) == 2)
        && s[n] == '\0' && hh >= 0 && hh < 48 && mm >= 0 && mm < 60
        && ss >= 0 && ss < 60)
    {
        *out = base + hh * 3600 + mm * 60 + ss;
        return 0;
    }
    return -1;
}

static int score_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { "date", required_argument, NULL, 'd' },
        { "at", required_argument, NULL, 'a' },
        { "repeat", required_argument, NULL, 'r' },
        { "seed", required_argument, NULL, 's' },
        { "trip-updates", required_argument, NULL, 'u' },
        { "publish", no_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 }
    };
    const char *at_s = NULL;
    long repeat = 5, seed = 1, tu_pct = 50;
    int opt, status, publish = 0, date, rc = MTW_EXIT_FAILURE, i;
    double load_ms, *t_tick = NULL, *t_docs = NULL, *t_pub = NULL;
    double *t_arr = NULL;
    long narr = 0;
    mtw_live *l_prev = NULL;
    mtw_tick *t_prev = NULL;
    mtw_score_params params;
    mtw_city_row city;
    mtw_schedule *s = NULL;
    mtw_history *hist = NULL;
    mtw_live *l = NULL;
    mtw_redis_link *redis = NULL;
    mtw_publisher pub;
    mtw_config cfg;
    PGconn *conn = NULL;
    struct rusage ru;
    char err[1024];
    int64_t now;
    size_t ndocs = 0, nbytes = 0;

    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "mtw-worker score: %s\n", err);
        return MTW_EXIT_USAGE;
    }
    optind = 1;
    while ((opt = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        switch (opt) {
        case MTW_CLI_STOP:
            return status;
        case 'c':
            cfg.city = optarg;
            break;
        case 'd':
            if (strcmp(optarg, "auto") != 0
                && mtw_date_parse(optarg, &date) != 0)
            {
                return mtw_cli_usage_error(cmd, "--date: '%s' is not "
                                           "YYYY-MM-DD or auto", optarg);
            }
            cfg.service_date = optarg;
            break;
        case 'a':
            at_s = optarg;
            break;
        case 'r':
            if (mtw_cli_parse_long(optarg, 1, 1000, &repeat) != 0) {
                return mtw_cli_usage_error(cmd, "--repeat: 1..1000");
            }
            break;
        case 's':
            if (mtw_cli_parse_long(optarg, 0, 1L << 30, &seed) != 0) {
                return mtw_cli_usage_error(cmd, "--seed: a number");
            }
            break;
        case 'u':
            if (mtw_cli_parse_long(optarg, 0, 100, &tu_pct) != 0) {
                return mtw_cli_usage_error(cmd, "--trip-updates: 0..100");
            }
            break;
        case 'p':
            publish = 1;
            break;
        }
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (cfg.city == NULL) {
        return mtw_cli_usage_error(cmd, "--city (or MTW_CITY) is required");
    }
    mtw_score_params_default(&params);
    mtw_publisher_init(&pub);

    conn = mtw_pg_connect(cfg.database_url, err, sizeof(err));
    if (conn == NULL) {
        goto fail;
    }
    if (mtw_city_open(conn, cfg.city, cfg.service_date, time(NULL), &city,
                      &date, err, sizeof(err)) != 0)
    {
        goto fail;
    }
    load_ms = cpu_ms();
    s = mtw_schedule_load(conn, &city, date, 0, err, sizeof(err));
    if (s == NULL) {
        goto fail;
    }
    load_ms = cpu_ms() - load_ms;
    hist = mtw_history_load(conn, city.id, date, &params.otp, err,
                            sizeof(err));
    if (hist == NULL) {
        goto fail;
    }
    now = s->base + 8 * 3600;
    if (at_s != NULL && parse_at(at_s, s->base, &now) != 0) {
        snprintf(err, sizeof(err), "--at: '%s' is not HH:MM[:SS] or @EPOCH",
                 at_s);
        goto fail;
    }
    printf("schedule %s %d: %zu routes, %zu stops, %zu trips, %zu stop "
           "times; loaded in %.1f ms CPU\n", city.slug, date, s->nroutes,
           s->nstops, s->ntrips, s->nst, load_ms);

    l = mtw_live_synthetic(s, now, (uint32_t) seed, (int) tu_pct);
    if (l == NULL) {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    if (publish) {
        redis = mtw_redis_open(&cfg, err, sizeof(err));
        if (redis == NULL) {
            goto fail;
        }
    }
    t_tick = calloc((size_t) repeat, sizeof(double));
    t_docs = calloc((size_t) repeat, sizeof(double));
    t_pub = calloc((size_t) repeat, sizeof(double));
    t_arr = calloc((size_t) repeat, sizeof(double));
    /* the arrival detector steps from the positions 30 s earlier */
    l_prev = mtw_live_synthetic(s, now - 30, (uint32_t) seed, (int) tu_pct);
    t_prev = l_prev != NULL ? mtw_tick_run(s, l_prev, now - 30, &params)
                            : NULL;
    if (t_tick == NULL || t_docs == NULL || t_pub == NULL || t_arr == NULL
        || t_prev == NULL)
    {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    for (i = 0; i < repeat; i++) {
        mtw_doc_ctx dc = {
            .city = city.slug, .now = now, .poll_sec = cfg.poll_sec,
            .history = hist->rows, .nhistory = hist->n,
            .system_median = hist->system_median,
            .day_change = hist->day_change
        };
        double t0 = cpu_ms(), t1, t2;
        mtw_tick *t = mtw_tick_run(s, l, now, &params);
        mtw_doc_set set;
        size_t d;

        t1 = cpu_ms();
        if (t == NULL) {
            snprintf(err, sizeof(err), "out of memory in the tick");
            goto fail;
        }
        {
            /* the history's detectors as the run loop steps them: the
             * vehicles' rules, the trip updates' for runs without one,
             * the feed's cancellations and skipped stops */
            mtw_arrivals *det = mtw_arrivals_create();
            mtw_tu_arrivals *tud = mtw_tu_arrivals_create();
            mtw_exceptions *exd = mtw_exceptions_create();
            const mtw_arrival *arr;
            long ntu, nex;
            double ta;

            if (det != NULL) {
                mtw_arrivals_after(det, tud);
            }
            if (det == NULL || tud == NULL || exd == NULL
                || mtw_arrivals_step(det, t_prev, &arr) < 0
                || mtw_tu_arrivals_step(tud, t_prev, &arr) < 0
                || mtw_exceptions_step(exd, t_prev, &arr) < 0)
            {
                mtw_arrivals_free(det);
                mtw_tu_arrivals_free(tud);
                mtw_exceptions_free(exd);
                mtw_tick_free(t);
                snprintf(err, sizeof(err), "out of memory in arrivals");
                goto fail;
            }
            ta = cpu_ms();
            narr = mtw_arrivals_step(det, t, &arr);
            ntu = mtw_tu_arrivals_step(tud, t, &arr);
            nex = mtw_exceptions_step(exd, t, &arr);
            t_arr[i] = cpu_ms() - ta;
            narr += (ntu > 0 ? ntu : 0) + (nex > 0 ? nex : 0);
            mtw_arrivals_free(det);
            mtw_tu_arrivals_free(tud);
            mtw_exceptions_free(exd);
        }
        /* the tick's own cost, then the documents' from here */
        t_tick[i] = t1 - t0;
        t1 = cpu_ms();
        mtw_doc_set_init(&set);
        if (mtw_docs_build_tick(&set, t, &dc, MTW_DOCS_ALL, NULL, NULL) != 0) {
            mtw_doc_set_free(&set);
            mtw_tick_free(t);
            snprintf(err, sizeof(err), "out of memory building documents");
            goto fail;
        }
        t2 = cpu_ms();
        ndocs = set.n;
        for (nbytes = 0, d = 0; d < set.n; d++) {
            nbytes += set.docs[d].len;
        }
        if (redis != NULL
            && mtw_publish_set(redis, city.slug, &set, err, sizeof(err)))
        {
            mtw_doc_set_free(&set);
            mtw_tick_free(t);
            goto fail;
        }
        t_docs[i] = t2 - t1;
        t_pub[i] = cpu_ms() - t2;
        if (i == repeat - 1) {
            size_t g, scored = 0, nh = 0, tu = 0;
            int bad = 0, h;

            for (g = 0; g < t->ngroups; g++) {
                scored += t->groups[g].grade != MTW_GRADE_NA;
                nh += (size_t) t->groups[g].nh;
                tu += t->groups[g].source == MTW_HW_TRIP_UPDATES;
                for (h = 0; h < t->groups[g].nh; h++) {
                    bad += t->groups[g].headways[h] <= 0;
                }
            }
            printf("tick at %lld: %zu vehicles, %zu route-directions "
                   "(%zu graded, %zu from trip updates), %zu headways "
                   "(%d not positive), %zu predictions\n",
                   (long long) now, t->nv, t->ngroups, scored, tu, nh, bad,
                   t->npreds);
        }
        mtw_doc_set_free(&set);
        mtw_tick_free(t);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("documents: %zu, %.1f KiB\n", ndocs, nbytes / 1024.0);
    printf("cpu ms (median of %ld): score+predict %.2f, documents %.2f, "
           "publish %.2f, total %.2f\n", repeat, median(t_tick, (int) repeat),
           median(t_docs, (int) repeat), median(t_pub, (int) repeat),
           median(t_tick, (int) repeat) + median(t_docs, (int) repeat)
           + median(t_pub, (int) repeat));
    printf("arrival detection (positions 30 s apart): %ld arrivals, cpu ms "
           "%.2f (median of %ld)\n", narr, median(t_arr, (int) repeat),
           repeat);
    printf("max rss: %.1f MiB\n", ru.ru_maxrss / 1024.0);
    rc = MTW_EXIT_OK;
    goto done;

fail:
    fprintf(stderr, "mtw-worker score: %s\n", err);
done:
    free(t_tick);
    free(t_docs);
    free(t_pub);
    free(t_arr);
    mtw_tick_free(t_prev);
    mtw_live_free(l_prev);
    mtw_publisher_free(&pub);
    mtw_redis_link_free(redis);
    mtw_live_free(l);
    mtw_history_free(hist);
    mtw_schedule_free(s);
    mtw_pg_close(conn);
    return rc;
}

const mtw_command mtw_cmd_score = {
    "score",
    "one scoring tick on demand (diagnostics, benchmark)",
    "usage: mtw-worker score --city SLUG [--date YYYY-MM-DD|auto]\n"
    "                        [--at HH:MM[:SS]|@EPOCH] [--repeat N]\n"
    "                        [--seed N] [--trip-updates PCT] [--publish]\n"
    "\n"
    "Loads the city's schedule for the service date from PostgreSQL, puts a\n"
    "vehicle on every trip running at --at (a deterministic delay per trip;\n"
    "PCT % of them with a TripUpdate), runs the scoring tick (headways,\n"
    "metrics, statuses, predictions, documents) N times and prints what it\n"
    "found and the median CPU time of each phase.\n"
    "\n"
    "  --city SLUG         the city (default: $MTW_CITY)\n"
    "  --date D            service date (default: $MTW_SERVICE_DATE, else today)\n"
    "  --at T              local time on the service date (default 08:00)\n"
    "  --repeat N          ticks to time (default 5)\n"
    "  --seed N            delay pattern (default 1)\n"
    "  --trip-updates PCT  vehicles with a TripUpdate (default 50)\n"
    "  --publish           also write the documents to $MTW_REDIS_URL\n",
    score_main
};
