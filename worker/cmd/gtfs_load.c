/*
 * cmd/gtfs_load.c - `mtw-worker gtfs-load`: import a static GTFS feed.
 *
 * Takes a local zip or an http(s) URL (downloaded to a temporary file
 * first), imports it for one city in one transaction (gtfs/gtfs_import.c)
 * and prints rows and time per file.  Any error is one line on stderr
 * naming the file, line and column, with exit status 1.
 */
#include "config.h"
#include "gtfs/gtfs_fetch.h"
#include "gtfs/gtfs_import.h"
#include "store/pg.h"
#include "util/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void print_summary(const mtw_gtfs_import_opts *o,
                          const mtw_gtfs_import_result *r)
{
    printf("%-20s %10s %11.0f ms\n", "commit", "", r->commit_ms);
    printf("city %s (id %d): gtfs_version %d, %ld rows in %.2f s "
           "(%.0f rows/s)\n", o->slug, r->city_id, r->gtfs_version,
           r->total_rows, r->total_ms / 1000.0,
           r->total_ms > 0 ? r->total_rows / (r->total_ms / 1000.0) : 0.0);
}

static int gtfs_load_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { "name", required_argument, NULL, 'n' },
        { "tz", required_argument, NULL, 't' },
        { "database", required_argument, NULL, 'd' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 }
    };
    mtw_gtfs_import_opts io;
    mtw_gtfs_import_result res;
    const char *database = NULL, *source;
    char err[1024], tmp[512];
    mtw_config cfg;
    PGconn *conn;
    int c, status, rc, quiet = 0, fetched = 0;

    memset(&io, 0, sizeof(io));
    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        switch (c) {
        case MTW_CLI_STOP:
            return status;
        case 'c':
            io.slug = optarg;
            break;
        case 'n':
            io.name = optarg;
            break;
        case 't':
            io.tz = optarg;
            break;
        case 'd':
            database = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        }
    }
    if (io.slug == NULL) {
        return mtw_cli_usage_error(cmd, "--city SLUG is required");
    }
    if (argc - optind != 1) {
        return mtw_cli_usage_error(cmd, "expects exactly one FILE.zip or URL");
    }
    if (!mtw_gtfs_valid_slug(io.slug)) {
        return mtw_cli_usage_error(cmd, "--city '%s' is not a valid slug "
                                   "(a-z, 0-9 and '-', 1 to 50 characters)",
                                   io.slug);
    }
    if (io.name != NULL && *io.name == '\0') {
        return mtw_cli_usage_error(cmd, "--name must not be empty");
    }
    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        return mtw_cli_usage_error(cmd, "%s", err);
    }
    if (database == NULL) {
        database = cfg.database_url;
    }
    source = argv[optind];
    io.source = source;
    io.progress = !quiet && isatty(STDERR_FILENO);
    io.report = quiet ? NULL : stdout;

    if (mtw_gtfs_is_url(source)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = mtw_gtfs_fetch(source, tmp, sizeof(tmp), err, sizeof(err));
        curl_global_cleanup();
        if (rc != 0) {
            fprintf(stderr, "mtw-worker gtfs-load: %s\n", err);
            return MTW_EXIT_FAILURE;
        }
        io.static_url = source;
        fetched = 1;
    } else {
        snprintf(tmp, sizeof(tmp), "%s", source);
    }

    conn = mtw_pg_connect(database, err, sizeof(err));
    if (conn == NULL) {
        rc = -1;
    } else {
        rc = mtw_pg_unbounded(conn, err, sizeof(err));
        if (rc == 0) {
            rc = mtw_gtfs_import(conn, tmp, &io, &res, err, sizeof(err));
        }
        mtw_pg_close(conn);
    }
    if (fetched) {
        unlink(tmp);
    }
    if (rc != 0) {
        fflush(stdout);
        fprintf(stderr, "mtw-worker gtfs-load: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    if (!quiet) {
        print_summary(&io, &res);
    }
    fflush(stdout);
    return MTW_EXIT_OK;
}

const mtw_command mtw_cmd_gtfs_load = {
    "gtfs-load",
    "import a static GTFS feed for one city, in one transaction",
    "usage: mtw-worker gtfs-load --city SLUG [--name NAME] [--tz TZ]\n"
    "                            [--database URL] [--quiet] FILE.zip|URL\n"
    "\n"
    "Imports a GTFS static feed into PostgreSQL for one city (run\n"
    "'mtw-worker migrate' first).  The city's previous GTFS rows are\n"
    "replaced in one transaction; other cities and history tables are\n"
    "untouched; on any error nothing changes and the one-line message\n"
    "names the file, line and column (exit status 1).  An http(s) URL is\n"
    "downloaded to a temporary file first.  Prints rows and time per file;\n"
    "on a terminal, a progress line while reading.\n"
    "\n"
    "  --city SLUG     city slug ([a-z0-9-], created if new)\n"
    "  --name NAME     display name of the city (default: kept, or the\n"
    "                  first agency_name for a new city)\n"
    "  --tz TZ         IANA time zone (default: agency_timezone)\n"
    "  --database URL  PostgreSQL connection (default: $MTW_DATABASE_URL)\n"
    "  --quiet         print nothing but errors\n",
    gtfs_load_main
};
