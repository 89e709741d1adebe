#!/bin/sh
# check-sql.sh - no SQL text built at run time except where vetted
# (scripts/check-sql.pl), and the check itself refuses a planted
# statement formatted from a variable, so that it can fail.
set -eu
cd "$(dirname "$0")/.."

perl scripts/check-sql.pl worker

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/planted.c" <<'C'
static void
planted(PGconn *conn, const char *stop_id)
{
    char sql[256];

    snprintf(sql, sizeof(sql), "DELETE FROM stop WHERE id = '%s'", stop_id);
    PQclear(PQexec(conn, sql));
}
C
if perl scripts/check-sql.pl "$tmp" > "$tmp/out"; then
    echo "check-sql: a statement built with snprintf was not refused" >&2
    cat "$tmp/out" >&2
    exit 1
fi
grep -q 'not ok - .*planted.c:7 PQexec' "$tmp/out"
echo "check-sql: a planted formatted statement is refused"
