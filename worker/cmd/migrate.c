/*
 * cmd/migrate.c - `mtw-worker migrate`: apply the SQL migrations in order.
 *
 * Each migration (worker/sql/NNNN_*.sql, built into the binary) runs in its
 * own transaction together with its row in schema_migrations, so it is
 * applied entirely or not at all; applied ones are skipped, so running
 * migrate again is harmless.  An advisory lock serialises concurrent runs
 * (several replicas starting at once).
 *
 * Run as the schema's owner, it then sets up the application's role when
 * MTW_DATABASE_APP_USER names one (production: the worker's login): LOGIN
 * with the password of MTW_DATABASE_APP_PASSWORD, sent as a SCRAM verifier
 * computed here (the server, its logs and pg_stat_statements never see the
 * password), and DML on the schema's tables and sequences, today's and
 * those the owner creates later (gtfs-load's partitions); no DDL, not the
 * owner of anything.
 */
#include "config.h"
#include "sql/migrations.h"
#include "store/pg.h"
#include "util/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* pg_advisory_lock key: "mtw-migrate" */
#define MIGRATE_LOCK_KEY "7170001"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/*
 * Length of the SQL statement at s (up to and including its ';', or the
 * rest of the text), skipping over comments, quoted strings and
 * identifiers and dollar-quoted bodies, where a ';' does not end it.
 */
static size_t statement_len(const char *s, size_t len)
{
    size_t i = 0, k;

    while (i < len) {
        char c = s[i];

        if (c == ';') {
            return i + 1;
        }
        if (c == '-' && i + 1 < len && s[i + 1] == '-') {
            while (i < len && s[i] != '\n') {
                i++;
            }
        } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(s[i] == '*' && s[i + 1] == '/');
                 i++)
            {
            }
            i += 2;
        } else if (c == '\'' || c == '"') {
            for (i++; i < len && s[i] != c; i++) {
            }
            i++;
        } else if (c == '$') {
            /* $tag$ ... $tag$ */
            for (k = i + 1; k < len && (s[k] == '_' || (s[k] >= 'a'
                 && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')
                 || (s[k] >= '0' && s[k] <= '9')); k++)
            {
            }
            if (k < len && s[k] == '$') {
                size_t tag = k - i + 1;

                for (i = k + 1; i + tag <= len
                     && memcmp(s + i, s + (k + 1 - tag), tag) != 0; i++)
                {
                }
                i += tag;
            } else {
                i++;
            }
        } else {
            i++;
        }
    }
    return len;
}

/* Length of the white space and -- comments at the start of s. */
static size_t blank_len(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
            while (i < len && s[i] != '\n') {
                i++;
            }
        } else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'
                   || s[i] == '\r')
        {
            i++;
        } else {
            break;
        }
    }
    return i;
}

/* Line of the 1-based character position pos in sql (for error messages). */
static long line_of(const char *sql, size_t len, long pos)
{
    long line = 1, chars = 0;
    size_t i;

    for (i = 0; i < len && chars < pos - 1; i++) {
        /* positions count characters, not bytes: skip UTF-8 continuations */
        if (((unsigned char) sql[i] & 0xC0) != 0x80) {
            chars++;
        }
        if (sql[i] == '\n') {
            line++;
        }
    }
    return line;
}

/*
 * Runs the migration's statements one by one (so an error can name the
 * line of the statement that failed).  0, or -1 with err set.
 */
static int run_statements(PGconn *conn, const mtw_migration *m, char *err,
                          size_t errlen)
{
    size_t off = 0, n;
    long line = 1;
    char msg[768];

    while (off < m->len) {
        char *stmt;
        PGresult *res;
        size_t i, lead = 0;
        long first;

        n = statement_len(m->sql + off, m->len - off);
        lead = blank_len(m->sql + off, n);
        if (lead == n || (lead + 1 == n && m->sql[off + lead] == ';')) {
            goto next;                  /* only comments: nothing to run */
        }
        stmt = strndup(m->sql + off, n);
        if (stmt == NULL) {
            snprintf(err, errlen, "%s.sql: out of memory", m->version);
            return -1;
        }
        /* sql-vetted: the statements of the worker/sql/ files, compiled
         * into the binary */
        res = PQexec(conn, stmt);
        if (PQresultStatus(res) != PGRES_COMMAND_OK
            && PQresultStatus(res) != PGRES_TUPLES_OK)
        {
            const char *pos = PQresultErrorField(res,
                                                 PG_DIAG_STATEMENT_POSITION);

            /* without a position, name the statement's first line */
            first = line;
            for (i = 0; i < lead; i++) {
                first += stmt[i] == '\n';
            }
            if (pos != NULL) {
                first = line - 1 + line_of(stmt, n, atol(pos));
            }
            mtw_pg_result_error(res, msg, sizeof(msg));
            snprintf(err, errlen, "%s.sql:%ld: %s", m->version, first, msg);
            PQclear(res);
            free(stmt);
            return -1;
        }
        PQclear(res);
        free(stmt);
    next:
        for (i = 0; i < n; i++) {
            line += m->sql[off + i] == '\n';
        }
        off += n;
    }
    return 0;
}

/* Applies one migration in a transaction; 0 or -1 with err set. */
static int apply(PGconn *conn, const mtw_migration *m, char *err,
                 size_t errlen)
{
    const char *params[1];
    PGresult *res;

    if (mtw_pg_exec(conn, "BEGIN", "BEGIN", err, errlen) != 0) {
        return -1;
    }
    if (run_statements(conn, m, err, errlen) != 0) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    params[0] = m->version;
    res = mtw_pg_query(conn, m->version,
                       "INSERT INTO schema_migrations (version) VALUES ($1)",
                       1, params, err, errlen);
    if (res == NULL) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    PQclear(res);
    return mtw_pg_exec(conn, m->version, "COMMIT", err, errlen);
}

static int is_known(const char *version)
{
    size_t i, n = mtw_migration_count();

    for (i = 0; i < n; i++) {
        if (strcmp(mtw_migration_at(i).version, version) == 0) {
            return 1;
        }
    }
    return 0;
}

static int migrate(PGconn *conn, char *err, size_t errlen)
{
    PGresult *done;
    size_t i, n = mtw_migration_count();
    int applied = 0, r, rows;

    if (mtw_pg_exec(conn, "lock",
                    "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
                    err, errlen) != 0
        || mtw_pg_exec(conn, "schema_migrations",
                       "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version text PRIMARY KEY,"
                       " applied_at timestamptz NOT NULL DEFAULT now())",
                       err, errlen) != 0)
    {
        return -1;
    }
    done = mtw_pg_query(conn, "schema_migrations",
                        "SELECT version FROM schema_migrations"
                        " ORDER BY version", 0, NULL, err, errlen);
    if (done == NULL) {
        return -1;
    }
    rows = PQntuples(done);
    for (r = 0; r < rows; r++) {
        if (!is_known(PQgetvalue(done, r, 0))) {
            fprintf(stderr, "mtw-worker migrate: warning: the database has "
                    "migration %s, which this worker does not know "
                    "(newer worker?)\n", PQgetvalue(done, r, 0));
        }
    }
    for (i = 0; i < n; i++) {
        mtw_migration m = mtw_migration_at(i);
        int have = 0;
        double t0;

        for (r = 0; r < rows && !have; r++) {
            have = strcmp(PQgetvalue(done, r, 0), m.version) == 0;
        }
        if (have) {
            continue;
        }
        t0 = now_ms();
        if (apply(conn, &m, err, errlen) != 0) {
            PQclear(done);
            return -1;
        }
        printf("applied %s (%.0f ms)\n", m.version, now_ms() - t0);
        applied++;
    }
    PQclear(done);
    printf("database is up to date: %zu migrations, %d applied now\n", n,
           applied);
    return mtw_pg_exec(conn, "unlock",
                       "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
                       err, errlen);
}

/* A role name the application may use: a plain lower-case identifier. */
static int valid_role(const char *name)
{
    size_t i, n = strlen(name);

    if (n == 0 || n > 63 || name[0] < 'a' || name[0] > 'z') {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
        {
            return 0;
        }
    }
    return strncmp(name, "pg_", 3) != 0 && strcmp(name, "postgres") != 0
           && strcmp(name, "rdsadmin") != 0;
}

/* the application role's privileges; %s is its quoted name */
static const char *const app_grants[] = {
    "GRANT USAGE ON SCHEMA public TO %s",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
    " TO %s",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %s",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
    " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %s",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
    " GRANT USAGE, SELECT ON SEQUENCES TO %s",
};

/* exec_quoted(conn, what, fmt, a, b): fmt with one or two quoted %s */
static int exec_quoted(PGconn *conn, const char *what, const char *fmt,
                       const char *a, const char *b, char *err,
                       size_t errlen)
{
    char sql[1024];
    int n = snprintf(sql, sizeof(sql), fmt, a, b);

    if (n < 0 || (size_t) n >= sizeof(sql)) {
        snprintf(err, errlen, "%s: statement too long", what);
        return -1;
    }
    /* sql-vetted: fmt is a literal of this file; a and b were quoted by
     * PQescapeIdentifier / PQescapeLiteral (or encrypted by
     * PQencryptPasswordConn) and the role name checked by valid_role() */
    return mtw_pg_exec(conn, what, sql, err, errlen);
}

/*
 * The application's role (see the top of this file), in one transaction:
 * 0, or -1 with err set.  The password never appears in err.
 */
static int app_role(PGconn *conn, const char *user, const char *password,
                    char *err, size_t errlen)
{
    const char *params[1];
    char *ident = NULL, *verifier = NULL, *lit = NULL, *db = NULL;
    PGresult *res;
    size_t i;
    int exists, rc = -1;

    if (!valid_role(user)) {
        snprintf(err, errlen, "MTW_DATABASE_APP_USER '%s' is not a plain "
                 "lower-case role name ([a-z][a-z0-9_]*, not pg_*, "
                 "postgres or rdsadmin)", user);
        return -1;
    }
    if (password == NULL || strlen(password) < 16) {
        snprintf(err, errlen, "MTW_DATABASE_APP_PASSWORD must hold the "
                 "password of %s (16 characters at least)", user);
        return -1;
    }
    params[0] = user;
    res = mtw_pg_query(conn, "app role", "SELECT 1 FROM pg_roles"
                       " WHERE rolname = $1", 1, params, err, errlen);
    if (res == NULL) {
        return -1;
    }
    exists = PQntuples(res) > 0;
    PQclear(res);
    res = mtw_pg_query(conn, "app role", "SELECT current_database()", 0,
                       NULL, err, errlen);
    if (res == NULL) {
        return -1;
    }
    ident = PQescapeIdentifier(conn, user, strlen(user));
    db = PQescapeIdentifier(conn, PQgetvalue(res, 0, 0),
                            strlen(PQgetvalue(res, 0, 0)));
    PQclear(res);
    verifier = PQencryptPasswordConn(conn, password, user, NULL);
    lit = verifier ? PQescapeLiteral(conn, verifier, strlen(verifier)) : NULL;
    if (ident == NULL || db == NULL || lit == NULL) {
        snprintf(err, errlen, "app role %s: cannot quote or encrypt: %s",
                 user, PQerrorMessage(conn));
        goto done;
    }
    if (mtw_pg_exec(conn, "app role", "BEGIN", err, errlen) != 0) {
        goto done;
    }
    if (exec_quoted(conn, "app role login", exists
                    ? "ALTER ROLE %s WITH LOGIN NOSUPERUSER NOCREATEDB "
                      "NOCREATEROLE PASSWORD %s"
                    : "CREATE ROLE %s WITH LOGIN NOSUPERUSER NOCREATEDB "
                      "NOCREATEROLE PASSWORD %s", ident, lit, err, errlen) != 0
        || exec_quoted(conn, "app role grants", "GRANT CONNECT ON DATABASE "
                       "%s TO %s", db, ident, err, errlen) != 0)
    {
        goto rollback;
    }
    for (i = 0; i < sizeof(app_grants) / sizeof(app_grants[0]); i++) {
        if (exec_quoted(conn, "app role grants", app_grants[i], ident, NULL,
                        err, errlen) != 0)
        {
            goto rollback;
        }
    }
    if (mtw_pg_exec(conn, "app role", "COMMIT", err, errlen) != 0) {
        goto rollback;
    }
    printf("role %s: %s, DML on the schema\n", user,
           exists ? "password set" : "created");
    rc = 0;
    goto done;
rollback:
    PQclear(PQexec(conn, "ROLLBACK"));
done:
    PQfreemem(ident);
    PQfreemem(db);
    PQfreemem(lit);
    PQfreemem(verifier);
    return rc;
}

static int migrate_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "database", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    const char *database = NULL;
    mtw_config cfg;
    PGconn *conn;
    char err[1024];
    int c, status, rc;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'd') {
            database = optarg;
        }
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        return mtw_cli_usage_error(cmd, "%s", err);
    }
    if (database == NULL) {
        database = cfg.database_url;
    }
    conn = mtw_pg_connect(database, err, sizeof(err));
    if (conn == NULL) {
        fprintf(stderr, "mtw-worker migrate: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    rc = mtw_pg_unbounded(conn, err, sizeof(err));
    if (rc == 0) {
        rc = migrate(conn, err, sizeof(err));
    }
    if (rc == 0 && getenv("MTW_DATABASE_APP_USER") != NULL
        && *getenv("MTW_DATABASE_APP_USER") != '\0')
    {
        rc = app_role(conn, getenv("MTW_DATABASE_APP_USER"),
                      getenv("MTW_DATABASE_APP_PASSWORD"), err, sizeof(err));
    }
    mtw_pg_close(conn);
    if (rc != 0) {
        fprintf(stderr, "mtw-worker migrate: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    fflush(stdout);
    return MTW_EXIT_OK;
}

const mtw_command mtw_cmd_migrate = {
    "migrate",
    "apply the SQL migrations in order (idempotent)",
    "usage: mtw-worker migrate [--database URL]\n"
    "\n"
    "Applies the SQL migrations built into the worker (worker/sql/*.sql)\n"
    "in order, each in its own transaction, recording them in the\n"
    "schema_migrations table; already applied ones are skipped.\n"
    "\n"
    "With MTW_DATABASE_APP_USER set (run as the schema's owner), then\n"
    "creates that role or sets its password from MTW_DATABASE_APP_PASSWORD\n"
    "(sent as a SCRAM verifier, never in clear) and grants it SELECT,\n"
    "INSERT, UPDATE, DELETE on the schema's tables, now and later: the\n"
    "login of the running worker, which needs no DDL.\n"
    "\n"
    "  --database URL  PostgreSQL connection (default: $MTW_DATABASE_URL)\n",
    migrate_main
};
