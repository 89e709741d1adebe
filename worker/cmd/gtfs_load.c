/*
 * cmd/gtfs_load.c - `mtw-worker gtfs-load`: import a static GTFS feed.
 *
 * Takes a local zip or an http(s) URL (downloaded to a temporary file
 * first: retried, from a fallback URL when the main one fails, and
 * conditional on the validators of the last import from that URL, so an
 * unchanged feed is not imported again), imports it for one city in one
 * transaction (gtfs/gtfs_import.c) and prints rows and time per file.  Any
 * error is one line on stderr naming the file, line and column, with exit
 * status 1.
 */
#include "config.h"
#include "gtfs/gtfs_fetch.h"
#include "gtfs/gtfs_import.h"
#include "store/pg.h"
#include "util/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* what the city row remembers of its last download */
typedef struct {
    char *url, *etag, *last_modified, *fallback;
} stored_source;

static void stored_free(stored_source *s)
{
    free(s->url);
    free(s->etag);
    free(s->last_modified);
    free(s->fallback);
    memset(s, 0, sizeof(*s));
}

static char *field(PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : strdup(PQgetvalue(r, 0, col));
}

static int stored_load(PGconn *conn, const char *slug, stored_source *s,
                       char *err, size_t errlen)
{
    const char *params[1] = { slug };
    PGresult *r;

    memset(s, 0, sizeof(*s));
    r = mtw_pg_query(conn, "reading the city's last download",
        "SELECT gtfs_static_url, gtfs_etag, gtfs_last_modified, "
        "gtfs_fallback_url FROM city WHERE slug = $1", 1, params, err,
        errlen);
    if (r == NULL) {
        return -1;
    }
    if (PQntuples(r) == 1) {
        s->url = field(r, 0);
        s->etag = field(r, 1);
        s->last_modified = field(r, 2);
        s->fallback = field(r, 3);
    }
    PQclear(r);
    return 0;
}

/* the validators of what was imported (none when it came from the
 * fallback: the main URL is then downloaded whole next time) */
static int stored_save(PGconn *conn, const char *slug,
                       const mtw_gtfs_download *d, const char *fallback,
                       char *err, size_t errlen)
{
    const char *params[4];
    PGresult *r;

    params[0] = slug;
    params[1] = d->used == 0 && d->new_etag[0] ? d->new_etag : NULL;
    params[2] = d->used == 0 && d->new_last_modified[0]
                ? d->new_last_modified : NULL;
    params[3] = fallback;
    r = mtw_pg_query(conn, "recording the download",
        "UPDATE city SET gtfs_etag = $2, gtfs_last_modified = $3, "
        "gtfs_fallback_url = COALESCE($4, gtfs_fallback_url) "
        "WHERE slug = $1", 4, params, err, errlen);
    if (r == NULL) {
        return -1;
    }
    PQclear(r);
    return 0;
}

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
        { "fallback", required_argument, NULL, 'f' },
        { "retries", required_argument, NULL, 'r' },
        { "force", no_argument, NULL, 'F' },
        { "reload", no_argument, NULL, 'R' },
        { NULL, 0, NULL, 0 }
    };
    mtw_gtfs_import_opts io;
    mtw_gtfs_import_result res;
    const char *database = NULL, *source, *fallback = NULL, *urls[2];
    char err[1024], tmp[512];
    mtw_gtfs_download dl;
    stored_source stored;
    mtw_config cfg;
    PGconn *conn;
    long tries = 3;
    int opt, status, rc, quiet = 0, fetched = 0, force = 0, nurls;
    int reload = 0;

    memset(&io, 0, sizeof(io));
    optind = 1;
    while ((opt = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        switch (opt) {
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
        case 'f':
            fallback = optarg;
            break;
        case 'r':
            if (mtw_cli_parse_long(optarg, 1, 10, &tries) != 0) {
                return mtw_cli_usage_error(cmd, "--retries: 1..10");
            }
            break;
        case 'F':
            force = 1;
            break;
        case 'R':
            reload = 1;
            break;
        }
    }
    if (io.slug == NULL) {
        return mtw_cli_usage_error(cmd, "--city SLUG is required");
    }
    if (argc - optind != (reload ? 0 : 1)) {
        return mtw_cli_usage_error(cmd, reload ? "--reload takes no FILE or "
                                   "URL: it reloads the city's own"
                                   : "expects exactly one FILE.zip or URL");
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
    source = reload ? NULL : argv[optind];
    io.source = source;
    io.progress = !quiet && isatty(STDERR_FILENO);
    io.report = quiet ? NULL : stdout;

    if (fallback != NULL && !mtw_gtfs_is_url(fallback)) {
        return mtw_cli_usage_error(cmd, "--fallback must be an http(s) URL");
    }
    memset(&stored, 0, sizeof(stored));
    conn = mtw_pg_connect(database, err, sizeof(err));
    rc = conn == NULL ? -1 : mtw_pg_unbounded(conn, err, sizeof(err));
    if (rc == 0 && (reload || mtw_gtfs_is_url(source))) {
        rc = stored_load(conn, io.slug, &stored, err, sizeof(err));
    }
    if (rc == 0 && reload) {
        /* the URL the city was last loaded from */
        if (stored.url == NULL) {
            if (!quiet) {
                printf("city %s: no feed URL recorded (loaded from a "
                       "file): nothing to reload\n", io.slug);
            }
            stored_free(&stored);
            mtw_pg_close(conn);
            fflush(stdout);
            return MTW_EXIT_OK;
        }
        source = stored.url;
        io.source = source;
    }
    if (rc == 0 && mtw_gtfs_is_url(source)) {
        memset(&dl, 0, sizeof(dl));
        /* validators only for the URL they came from */
        if (!force && stored.url != NULL && strcmp(stored.url, source) == 0)
        {
            dl.etag = stored.etag;
            dl.last_modified = stored.last_modified;
        }
        urls[0] = source;
        urls[1] = fallback != NULL ? fallback : stored.fallback;
        nurls = urls[1] != NULL ? 2 : 1;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = mtw_gtfs_fetch(urls, nurls, (int) tries, &dl, tmp, sizeof(tmp),
                            err, sizeof(err));
        curl_global_cleanup();
        if (rc == 0 && dl.not_modified) {
            if (!quiet) {
                printf("city %s: %s not modified since the last import: "
                       "nothing to do\n", io.slug, source);
            }
            stored_free(&stored);
            mtw_pg_close(conn);
            fflush(stdout);
            return MTW_EXIT_OK;
        }
        if (rc == 0) {
            if (dl.used > 0) {
                fprintf(stderr, "mtw-worker gtfs-load: %s failed, imported "
                        "the fallback %s\n", source, urls[dl.used]);
            }
            io.static_url = source;
            io.source = urls[dl.used];
            fetched = 1;
        }
    } else if (rc == 0) {
        snprintf(tmp, sizeof(tmp), "%s", source);
    }
    if (rc == 0) {
        rc = mtw_gtfs_import(conn, tmp, &io, &res, err, sizeof(err));
    }
    if (rc == 0 && fetched) {
        rc = stored_save(conn, io.slug, &dl, fallback, err, sizeof(err));
    }
    stored_free(&stored);
    if (conn != NULL) {
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
    "                            [--fallback URL] [--retries N] [--force]\n"
    "       mtw-worker gtfs-load --city SLUG --reload [--quiet] ...\n"
    "\n"
    "Imports a GTFS static feed into PostgreSQL for one city (run\n"
    "'mtw-worker migrate' first).  The city's previous GTFS rows are\n"
    "replaced in one transaction; other cities and history tables are\n"
    "untouched; on any error nothing changes and the one-line message\n"
    "names the file, line and column (exit status 1).  An http(s) URL is\n"
    "downloaded to a temporary file first: a failure that may pass (no\n"
    "answer, 408, 429, 5xx) is retried after 1 s, then 2 s, 4 s ...; then\n"
    "the fallback URL is tried the same way.  The download sends the\n"
    "ETag / Last-Modified of the last import from the same URL: when the\n"
    "server answers 304 nothing is imported (exit 0), so a daily reload of\n"
    "an unchanged feed costs one request.  Prints rows and time per file;\n"
    "on a terminal, a progress line while reading.\n"
    "\n"
    "  --city SLUG     city slug ([a-z0-9-], created if new)\n"
    "  --name NAME     display name of the city (default: kept, or the\n"
    "                  first agency_name for a new city)\n"
    "  --tz TZ         IANA time zone (default: agency_timezone)\n"
    "  --database URL  PostgreSQL connection (default: $MTW_DATABASE_URL)\n"
    "  --quiet         print nothing but errors\n"
    "  --fallback URL  tried when URL fails (remembered on the city)\n"
    "  --retries N     attempts per URL, 1..10 (default 3)\n"
    "  --force         download whole even when unchanged\n"
    "  --reload        the URL the city was last loaded from (what\n"
    "                  `run` does every MTW_GTFS_RELOAD_SEC); a city\n"
    "                  loaded from a file has nothing to reload (exit 0)\n",
    gtfs_load_main
};
