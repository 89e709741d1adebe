/*
 * cmd/gtfs_load.c - `mtw-worker gtfs-load`: import a static GTFS feed.
 */
#include "util/cli.h"

#include <stdio.h>

static int gtfs_load_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { "name", required_argument, NULL, 'n' },
        { "tz", required_argument, NULL, 't' },
        { "database", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    const char *city = NULL;
    int c, status;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'c') {
            city = optarg;
        }
    }
    if (city == NULL) {
        return mtw_cli_usage_error(cmd, "--city SLUG is required");
    }
    if (argc - optind != 1) {
        return mtw_cli_usage_error(cmd, "expects exactly one FILE.zip or URL");
    }
    fprintf(stderr, "mtw-worker gtfs-load: not implemented yet\n");
    return MTW_EXIT_FAILURE;
}

const mtw_command mtw_cmd_gtfs_load = {
    "gtfs-load",
    "import a static GTFS feed for one city, in one transaction",
    "usage: mtw-worker gtfs-load --city SLUG [--name NAME] [--tz TZ]\n"
    "                            [--database URL] FILE.zip|URL\n"
    "\n"
    "Imports a GTFS static feed into PostgreSQL for one city.  The city's\n"
    "previous GTFS rows are replaced in one transaction; other cities and\n"
    "history tables are untouched; on error nothing changes.\n"
    "\n"
    "  --city SLUG     city slug ([a-z0-9-], created if new)\n"
    "  --name NAME     display name of the city\n"
    "  --tz TZ         IANA time zone (default: agency_timezone)\n"
    "  --database URL  PostgreSQL connection (default: $MTW_DATABASE_URL)\n",
    gtfs_load_main
};
