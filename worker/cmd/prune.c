/*
 * cmd/prune.c - `mtw-worker prune`: retention of history tables.
 *
 * Deletes rows older than N days from the tables that grow with every
 * observation (arrival_log, service_exception, bunching_incident,
 * feedback_archive), in
 * batches so no statement holds locks or a huge transaction for long.
 * Daily aggregates (route_performance_daily), weather and GTFS data are
 * kept: they are small and are what history pages read.
 */
#include "config.h"
#include "store/pg.h"
#include "util/cli.h"

#include <stdio.h>
#include <stdlib.h>

#define PRUNE_BATCH "20000"

/* One history table: its name and the instant a row ages by. */
static const struct {
    const char *table;
    const char *sql;
} prunable[] = {
    { "arrival_log",
      "DELETE FROM arrival_log WHERE id IN (SELECT id FROM arrival_log "
      "WHERE arrived_at < now() - make_interval(days => $1::int) "
      "LIMIT " PRUNE_BATCH ")" },
    { "service_exception",
      "DELETE FROM service_exception WHERE id IN (SELECT id FROM "
      "service_exception WHERE reported_at < now() - "
      "make_interval(days => $1::int) LIMIT " PRUNE_BATCH ")" },
    { "bunching_incident",
      "DELETE FROM bunching_incident WHERE id IN (SELECT id FROM "
      "bunching_incident WHERE detected_at < now() - "
      "make_interval(days => $1::int) LIMIT " PRUNE_BATCH ")" },
    { "feedback_archive",
      "DELETE FROM feedback_archive WHERE id IN (SELECT id FROM "
      "feedback_archive WHERE service_date < (now() - "
      "make_interval(days => $1::int))::date LIMIT " PRUNE_BATCH ")" },
};

/* Deletes old rows of one table batch by batch; the count or -1. */
static long prune_table(PGconn *conn, int i, const char *days, char *err,
                        size_t errlen)
{
    const char *params[1];
    long total = 0, n;

    params[0] = days;
    do {
        /* sql-vetted: prunable[] holds literals of this file; the age is a
         * parameter */
        PGresult *res = mtw_pg_query(conn, prunable[i].table,
                                     prunable[i].sql, 1, params, err,
                                     errlen);

        if (res == NULL) {
            return -1;
        }
        n = atol(PQcmdTuples(res));
        PQclear(res);
        total += n;
    } while (n > 0);
    return total;
}

static int prune_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "days", required_argument, NULL, 'n' },
        { "database", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    const char *database = NULL;
    char err[1024], days_text[24];
    mtw_config cfg;
    PGconn *conn;
    long days = -1, n, total = 0;
    int c, status;
    size_t i;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'n' && mtw_cli_parse_long(optarg, 1, 36500, &days) != 0) {
            return mtw_cli_usage_error(cmd, "--days must be a whole number "
                                       "from 1 to 36500, not '%s'", optarg);
        }
        if (c == 'd') {
            database = optarg;
        }
    }
    if (days < 0) {
        return mtw_cli_usage_error(cmd, "--days N is required");
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        return mtw_cli_usage_error(cmd, "%s", err);
    }
    conn = mtw_pg_connect(database != NULL ? database : cfg.database_url,
                          err, sizeof(err));
    if (conn == NULL) {
        fprintf(stderr, "mtw-worker prune: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    snprintf(days_text, sizeof(days_text), "%ld", days);
    for (i = 0; i < sizeof(prunable) / sizeof(prunable[0]); i++) {
        n = prune_table(conn, (int) i, days_text, err, sizeof(err));
        if (n < 0) {
            mtw_pg_close(conn);
            fprintf(stderr, "mtw-worker prune: %s\n", err);
            return MTW_EXIT_FAILURE;
        }
        printf("%-20s %10ld rows deleted\n", prunable[i].table, n);
        total += n;
    }
    mtw_pg_close(conn);
    printf("pruned %ld history rows older than %ld days\n", total, days);
    fflush(stdout);
    return MTW_EXIT_OK;
}

const mtw_command mtw_cmd_prune = {
    "prune",
    "delete history rows older than N days",
    "usage: mtw-worker prune --days N [--database URL]\n"
    "\n"
    "Deletes arrival log, bunching incident and feedback archive rows older\n"
    "than N days (1 to 36500), in batches; daily route performance,\n"
    "weather observations and GTFS data are kept.\n"
    "\n"
    "  --days N        age limit in days\n"
    "  --database URL  PostgreSQL connection (default: $MTW_DATABASE_URL)\n",
    prune_main
};
