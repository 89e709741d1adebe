/*
 * main.c - mtw-worker: dispatches to one subcommand.
 *
 * The subcommands are listed in mtw_commands below; each lives in
 * cmd/<name>.c.  Configuration comes from the environment (config.c) and
 * flags override it.
 */
#include "util/cli.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

extern const mtw_command mtw_cmd_migrate;
extern const mtw_command mtw_cmd_gtfs_load;
extern const mtw_command mtw_cmd_run;
extern const mtw_command mtw_cmd_simulate;
extern const mtw_command mtw_cmd_decode;
extern const mtw_command mtw_cmd_prune;
extern const mtw_command mtw_cmd_score;
extern const mtw_command mtw_cmd_diagnose;
extern const mtw_command mtw_cmd_weather;

static const mtw_command *const mtw_commands[] = {
    &mtw_cmd_migrate,
    &mtw_cmd_gtfs_load,
    &mtw_cmd_run,
    &mtw_cmd_simulate,
    &mtw_cmd_decode,
    &mtw_cmd_prune,
    &mtw_cmd_score,
    &mtw_cmd_diagnose,
    &mtw_cmd_weather,
    NULL
};

static void print_usage(FILE *out)
{
    const mtw_command *const *c;

    fputs("usage: mtw-worker <command> [options] [args]\n"
          "\n"
          "The mind-the-wait worker: imports GTFS, polls GTFS-Realtime feeds,\n"
          "scores service, predicts arrivals and publishes JSON to Redis.\n"
          "\n"
          "commands:\n", out);
    for (c = mtw_commands; *c != NULL; c++) {
        fprintf(out, "  %-10s  %s\n", (*c)->name, (*c)->summary);
    }
    fputs("\n"
          "'mtw-worker <command> --help' describes one command.\n"
          "Environment: MTW_REDIS_URL (redis://, rediss:// for TLS, unix://),\n"
          "MTW_REDIS_USER, MTW_REDIS_PASSWORD, MTW_REDIS_TLS_NAME,\n"
          "MTW_REDIS_CA_FILE, MTW_DATABASE_URL, MTW_CITY, MTW_TZ,\n"
          "MTW_VEHICLES_URL, MTW_TRIPS_URL, MTW_ALERTS_URL, MTW_POLL_SEC (12),\n"
          "MTW_SCORE_SEC (30), MTW_FEEDBACK_ARCHIVE_SEC (300: votes\n"
          "copied to PostgreSQL), MTW_SERVICE_DATE (YYYY-MM-DD|auto),\n"
          "MTW_CLOCK (wall|feed), MTW_LOG_LEVEL (debug|info|warn|error),\n"
          "MTW_LOG_FORMAT (text|json), MTW_WEATHER_SEC (3600: the weather\n"
          "job of `run`; 0: none), MTW_METRICS_NAMESPACE (CloudWatch\n"
          "heartbeat lines from `run`; unset: none).\n", out);
}

int main(int argc, char **argv)
{
    const mtw_command *const *c;

    mtw_log_init();
    /* a peer that closes a socket (Redis over TLS, PostgreSQL, a feed) is
     * an error to report, not a signal that ends the process */
    signal(SIGPIPE, SIG_IGN);

    if (argc < 2) {
        fprintf(stderr, "mtw-worker: missing command "
                "(see 'mtw-worker --help')\n");
        return MTW_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0)
    {
        print_usage(stdout);
        return MTW_EXIT_OK;
    }
    for (c = mtw_commands; *c != NULL; c++) {
        if (strcmp(argv[1], (*c)->name) == 0) {
            /* the command sees argv[0] = its own name */
            return (*c)->main(*c, argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "mtw-worker: unknown command '%s' "
            "(see 'mtw-worker --help')\n", argv[1]);
    return MTW_EXIT_USAGE;
}
