/*
 * cmd/prune.c - `mtw-worker prune`: retention of history tables.
 */
#include "util/cli.h"

#include <stdio.h>

static int prune_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "days", required_argument, NULL, 'n' },
        { "database", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    long days = -1;
    int c, status;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'n' && mtw_cli_parse_long(optarg, 1, 36500, &days) != 0) {
            return mtw_cli_usage_error(cmd, "--days must be a whole number "
                                       "from 1 to 36500, not '%s'", optarg);
        }
    }
    if (days < 0) {
        return mtw_cli_usage_error(cmd, "--days N is required");
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    fprintf(stderr, "mtw-worker prune: not implemented yet\n");
    return MTW_EXIT_FAILURE;
}

const mtw_command mtw_cmd_prune = {
    "prune",
    "delete history rows older than N days",
    "usage: mtw-worker prune --days N [--database URL]\n"
    "\n"
    "Deletes arrival log, bunching incidents and feedback archive rows older\n"
    "than N days; daily route performance and GTFS data are kept.\n",
    prune_main
};
