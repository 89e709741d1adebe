/*
 * cmd/simulate.c - `mtw-worker simulate`: live GTFS-RT files from a schedule.
 */
#include "util/cli.h"

#include <stdio.h>

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
        { NULL, 0, NULL, 0 }
    };
    const char *gtfs = NULL, *out = NULL;
    int c, status;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'g') {
            gtfs = optarg;
        } else if (c == 'o') {
            out = optarg;
        }
    }
    if (gtfs == NULL || out == NULL) {
        return mtw_cli_usage_error(cmd, "--gtfs FILE.zip and --out DIR "
                                   "are required");
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    fprintf(stderr, "mtw-worker simulate: not implemented yet\n");
    return MTW_EXIT_FAILURE;
}

const mtw_command mtw_cmd_simulate = {
    "simulate",
    "write live GTFS-RT files played from a static schedule",
    "usage: mtw-worker simulate --gtfs FILE.zip --out DIR [--speed X]\n"
    "                           [--seed N] [--date YYYY-MM-DD|auto]\n"
    "                           [--clock wall|feed] [--delay-profile NAME]\n"
    "\n"
    "Plays the schedule of FILE.zip and writes VehiclePositions.pb,\n"
    "TripUpdates.pb and Alerts.pb into DIR (atomically) every few seconds.\n",
    simulate_main
};
