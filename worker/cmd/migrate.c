/*
 * cmd/migrate.c - `mtw-worker migrate`: apply the worker/sql migrations in order.
 */
#include "util/cli.h"

#include <stdio.h>

static int migrate_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "database", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    int c, status;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    fprintf(stderr, "mtw-worker migrate: not implemented yet\n");
    return MTW_EXIT_FAILURE;
}

const mtw_command mtw_cmd_migrate = {
    "migrate",
    "apply the SQL migrations in order (idempotent)",
    "usage: mtw-worker migrate [--database URL]\n"
    "\n"
    "Applies worker/sql/*.sql in order, each in a transaction, recording\n"
    "them in the schema_migrations table; already applied ones are skipped.\n"
    "\n"
    "  --database URL  PostgreSQL connection (default: $MTW_DATABASE_URL)\n",
    migrate_main
};
