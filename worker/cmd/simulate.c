/*
 * cmd/simulate.c - `mtw-worker simulate`: live GTFS-RT files from a schedule.
 *
 * Loads a GTFS zip, then every --interval seconds computes the frame at the
 * simulated time (sim/sim.c) and writes VehiclePositions.pb,
 * TripUpdates.pb and Alerts.pb into --out, each by write + rename so a
 * reader never sees half a file.  --demo-gtfs writes the project's own
 * small demo feed (sim/demo_gtfs.c) instead.
 */
#include "config.h"
#include "sim/demo_gtfs.h"
#include "sim/schedule.h"
#include "sim/sim.h"
#include "util/cli.h"
#include "util/log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t sim_stop;

static void sim_on_signal(int sig)
{
    (void) sig;
    sim_stop = 1;
}

static double wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Local date (YYYYMMDD) of t in the process time zone. */
static int32_t local_date(int64_t t)
{
    time_t tt = (time_t) t;
    struct tm tm;

    localtime_r(&tt, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* GTFS midnight of a date: noon minus 12 h, local time. */
static int64_t gtfs_midnight(int32_t ymd)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = ymd / 10000 - 1900;
    tm.tm_mon = ymd / 100 % 100 - 1;
    tm.tm_mday = ymd % 100;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    return (int64_t) mktime(&tm) - 43200;
}

/* The feed's date with the same weekday as d, inside its calendar range. */
static int32_t map_into_range(const mtw_sim_schedule *s, int32_t d)
{
    int32_t days = mtw_date_to_days(d), first, last;

    if (s->first_date == 0 || (d >= s->first_date && d <= s->last_date)) {
        return d;
    }
    first = mtw_date_to_days(s->first_date);
    last = mtw_date_to_days(s->last_date);
    if (days > last) {
        days -= ((days - last + 6) / 7) * 7;
    } else {
        days += ((first - days + 6) / 7) * 7;
    }
    return mtw_days_to_date(days);
}

static int write_atomic(const char *dir, const char *name,
                        const mtw_sim_buf *b, char *err, size_t errlen)
{
    char tmp[4096], path[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(tmp, "wb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot write %.300s: %s", tmp,
                 strerror(errno));
        return -1;
    }
    if (fwrite(b->bytes, 1, b->len, f) != b->len || fclose(f) != 0) {
        snprintf(err, errlen, "cannot write %.300s", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %.300s: %s", tmp,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* the same frame (same instant, same seed) with bare positions, into dir */
static int write_bare(mtw_sim_schedule *sched, const mtw_sim_opts *so,
                      int32_t played, int64_t midnight, int64_t now,
                      const char *dir, char *err, size_t errlen)
{
    mtw_sim_opts bo = *so;
    mtw_sim_buf bufs[3];
    mtw_sim_stats stats;
    int rc;

    bo.bare = 1;
    if (mtw_sim_frame(sched, &bo, played, midnight, now, bufs, &stats) != 0)
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = write_atomic(dir, "VehiclePositions.pb", &bufs[0], err, errlen) != 0
         || write_atomic(dir, "TripUpdates.pb", &bufs[1], err, errlen) != 0
         || write_atomic(dir, "Alerts.pb", &bufs[2], err, errlen) != 0
         ? -1 : 0;
    mtw_sim_bufs_free(bufs);
    return rc;
}

static int simulate_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "gtfs", required_argument, NULL, 'g' },
        { "out", required_argument, NULL, 'o' },
        { "speed", required_argument, NULL, 's' },
        { "seed", required_argument, NULL, 'S' },
        { "date", required_argument, NULL, 'D' },
        { "clock", required_argument, NULL, 'C' },
        { "delay-profile", required_argument, NULL, 'p' },
        { "interval", required_argument, NULL, 'i' },
        { "start", required_argument, NULL, 't' },
        { "once", no_argument, NULL, '1' },
        { "demo-gtfs", required_argument, NULL, 'G' },
        { "bare-out", required_argument, NULL, 'b' },
        { NULL, 0, NULL, 0 }
    };
    const char *gtfs = NULL, *out = NULL, *date_opt = NULL, *demo = NULL;
    const char *bare = NULL;
    mtw_sim_schedule sched;
    mtw_sim_opts so;
    mtw_sim_buf bufs[3];
    mtw_sim_stats stats;
    mtw_clock_mode clock = MTW_CLOCK_WALL;
    struct sigaction sa;
    struct stat sb;
    double speed = 1, interval = 5, w0, next;
    int32_t fixed_date = 0, date0 = 0, start_secs = -1, l, l0, played;
    int64_t t0, now, frames = 0;
    long seed = 1;
    char err[512];
    int c, status, once = 0, rc = MTW_EXIT_OK;

    so.profile = MTW_SIM_NORMAL;
    so.bare = 0;
    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        switch (c) {
        case MTW_CLI_STOP:
            return status;
        case 'g': gtfs = optarg; break;
        case 'o': out = optarg; break;
        case 'G': demo = optarg; break;
        case 'b': bare = optarg; break;
        case '1': once = 1; break;
        case 's':
            if (mtw_cli_parse_double(optarg, 0.01, 10000, &speed) != 0) {
                return mtw_cli_usage_error(cmd, "--speed must be a number "
                                           "between 0.01 and 10000");
            }
            break;
        case 'i':
            if (mtw_cli_parse_double(optarg, 0.05, 3600, &interval) != 0) {
                return mtw_cli_usage_error(cmd, "--interval must be seconds "
                                           "between 0.05 and 3600");
            }
            break;
        case 'S':
            if (mtw_cli_parse_long(optarg, 0, 2147483647L, &seed) != 0) {
                return mtw_cli_usage_error(cmd, "--seed must be a whole "
                                           "number >= 0");
            }
            break;
        case 'D':
            date_opt = optarg;
            if (strcmp(optarg, "auto") != 0
                && mtw_config_parse_service_date(optarg, &fixed_date) != 0)
            {
                return mtw_cli_usage_error(cmd, "--date must be YYYY-MM-DD "
                                           "or auto");
            }
            break;
        case 'C':
            if (mtw_config_parse_clock(optarg, &clock) != 0) {
                return mtw_cli_usage_error(cmd, "--clock must be wall or "
                                           "feed");
            }
            break;
        case 'p':
            if (mtw_sim_profile_parse(optarg, &so.profile) != 0) {
                return mtw_cli_usage_error(cmd, "--delay-profile must be "
                                           "none, light, normal or heavy");
            }
            break;
        case 't':
            {
                int h, m, sec, n = 0;

                if (sscanf(optarg, "%d:%d:%d%n", &h, &m, &sec, &n) != 3
                    || optarg[n] != '\0' || h < 0 || h > 47 || m < 0
                    || m > 59 || sec < 0 || sec > 59)
                {
                    return mtw_cli_usage_error(cmd, "--start must be "
                                               "HH:MM:SS");
                }
                start_secs = h * 3600 + m * 60 + sec;
            }
            break;
        }
    }
    if (demo != NULL) {
        if (mtw_demo_gtfs_write(demo, err, sizeof(err)) != 0) {
            fprintf(stderr, "mtw-worker simulate: %s\n", err);
            return MTW_EXIT_FAILURE;
        }
        return MTW_EXIT_OK;
    }
    if (gtfs == NULL || out == NULL) {
        return mtw_cli_usage_error(cmd, "--gtfs FILE.zip and --out DIR "
                                   "are required");
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "mtw-worker simulate: %s is not a folder\n", out);
        return MTW_EXIT_FAILURE;
    }
    if (bare != NULL && (stat(bare, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        fprintf(stderr, "mtw-worker simulate: %s is not a folder\n", bare);
        return MTW_EXIT_FAILURE;
    }
    if (mtw_sim_schedule_load(&sched, gtfs, err, sizeof(err)) != 0) {
        fprintf(stderr, "mtw-worker simulate: %s: %s\n", gtfs, err);
        mtw_sim_schedule_free(&sched);
        return MTW_EXIT_FAILURE;
    }
    so.seed = (uint64_t) seed;
    setenv("TZ", sched.tz, 1);
    tzset();

    /* the simulated clock: starts now (wall) or on the service date (feed) */
    w0 = wall_now();
    l0 = local_date((int64_t) w0);
    if (date_opt != NULL && strcmp(date_opt, "auto") == 0) {
        date0 = map_into_range(&sched, l0);
    } else if (fixed_date != 0) {
        date0 = fixed_date;
    } else {
        date0 = l0;
    }
    if (clock == MTW_CLOCK_FEED) {
        t0 = gtfs_midnight(date0) + (start_secs >= 0 ? start_secs
             : (int64_t) w0 - gtfs_midnight(l0));
        l0 = date0;
    } else {
        t0 = start_secs >= 0 ? gtfs_midnight(l0) + start_secs : (int64_t) w0;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sim_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    mtw_info("simulating %s (%zu trips, tz %s) into %s: service date %08d, "
             "speed %g, seed %ld", gtfs, sched.n_trips, sched.tz, out,
             (int) date0, speed, seed);
    next = w0;
    while (!sim_stop) {
        now = t0 + (int64_t) ((wall_now() - w0) * speed);
        l = local_date(now);
        /* the played date moves on with the simulated days */
        played = mtw_days_to_date(mtw_date_to_days(date0) + mtw_date_to_days(l)
                              - mtw_date_to_days(l0));
        if (mtw_sim_frame(&sched, &so, played, gtfs_midnight(l), now, bufs,
                          &stats) != 0)
        {
            fprintf(stderr, "mtw-worker simulate: out of memory\n");
            rc = MTW_EXIT_FAILURE;
            break;
        }
        if (write_atomic(out, "VehiclePositions.pb", &bufs[0], err,
                         sizeof(err)) != 0
            || write_atomic(out, "TripUpdates.pb", &bufs[1], err,
                            sizeof(err)) != 0
            || write_atomic(out, "Alerts.pb", &bufs[2], err, sizeof(err)) != 0)
        {
            fprintf(stderr, "mtw-worker simulate: %s\n", err);
            mtw_sim_bufs_free(bufs);
            rc = MTW_EXIT_FAILURE;
            break;
        }
        mtw_sim_bufs_free(bufs);
        if (bare != NULL && write_bare(&sched, &so, played, gtfs_midnight(l),
                                       now, bare, err, sizeof(err)) != 0)
        {
            fprintf(stderr, "mtw-worker simulate: %s\n", err);
            rc = MTW_EXIT_FAILURE;
            break;
        }
        if (frames++ % 60 == 0 || once) {
            mtw_info("frame at %lld (service date %08d): %zu vehicles, "
                     "%zu trip updates, %zu cancelled, %zu stops skipped, "
                     "%zu alerts", (long long) now, (int) played,
                     stats.vehicles, stats.trip_updates, stats.canceled,
                     stats.skipped, stats.alerts);
        }
        if (once) {
            printf("{\"ts\":%lld,\"service_date\":%d,\"vehicles\":%zu,"
                   "\"trip_updates\":%zu,\"canceled\":%zu,"
                   "\"skipped\":%zu,\"alerts\":%zu}\n",
                   (long long) now, (int) played, stats.vehicles,
                   stats.trip_updates, stats.canceled, stats.skipped,
                   stats.alerts);
            break;
        }
        next += interval;
        while (!sim_stop && wall_now() < next) {
            usleep(20000);
        }
    }
    mtw_sim_schedule_free(&sched);
    return rc;
}

const mtw_command mtw_cmd_simulate = {
    "simulate",
    "write live GTFS-RT files played from a static schedule",
    "usage: mtw-worker simulate --gtfs FILE.zip --out DIR [--speed X]\n"
    "                           [--seed N] [--date YYYY-MM-DD|auto]\n"
    "                           [--clock wall|feed] [--delay-profile NAME]\n"
    "                           [--interval SEC] [--start HH:MM:SS] [--once]\n"
    "                           [--bare-out DIR2]\n"
    "       mtw-worker simulate --demo-gtfs FILE.zip\n"
    "\n"
    "Plays the schedule of FILE.zip and writes VehiclePositions.pb,\n"
    "TripUpdates.pb and Alerts.pb into DIR (write + rename) every few\n"
    "seconds until SIGTERM.  Vehicles move along the trips' shapes with\n"
    "seeded delays (a few trips far behind, a few cancelled, a few skipping\n"
    "their middle stop); TripUpdates predict the remaining stops with the\n"
    "same delays and mark the skipped stop SKIPPED.\n"
    "\n"
    "  --speed X            simulated seconds per real second (1)\n"
    "  --seed N             delay and alert seed (1); same seed, same feed\n"
    "  --date D|auto        service date played (default today; auto: today\n"
    "                       mapped onto the same weekday in the feed's range)\n"
    "  --clock wall|feed    wall: timestamps follow the wall clock (default);\n"
    "                       feed: timestamps fall on the service date itself\n"
    "                       (run the worker with MTW_CLOCK=feed)\n"
    "  --delay-profile P    none, light, normal (default) or heavy\n"
    "  --interval SEC       real seconds between frames (5)\n"
    "  --start HH:MM:SS     start at this time of the day instead of now\n"
    "  --once               write one frame, print its counts as JSON, exit\n"
    "  --bare-out DIR2      also write each frame into DIR2 with positions\n"
    "                       stripped of stop id, stop sequence and status\n"
    "                       (as most small agencies send them)\n"
    "  --demo-gtfs FILE.zip write the project's small demo GTFS feed (a few\n"
    "                       routes with shapes, a calendar covering every\n"
    "                       date) and exit\n",
    simulate_main
};
