#!/bin/sh
# import.sh - GTFS static import benchmark (`make bench`).
#
# Imports the Saskatoon feed (135,613 stop_times) and a x20 copy of it made
# with ../shared/tools/gtfs-scale (2.7 M stop_times) into a PostgreSQL
# cluster created here with default settings (durable commits), several
# times each, and prints the median wall time (whole process: zip, parse,
# COPY, indexes, partition swap, commit), rows/s and the worker's peak RSS,
# with ratios against the targets and against node-gtfs (into SQLite, its
# own store), run here on the same feed, its runs alternated with ours.
# Exits 1 when a target is missed.
#
#   make bench-deps               (node-gtfs, pinned in bench/peers/)
#   sh bench/import.sh            (MTW_BENCH_RUNS=3 by default)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/../shared/data
SCALE=$ROOT/../shared/tools/gtfs-scale
FEED=$DATA/saskatoon/gtfs-2025-06-29.zip
CACHE=$ROOT/build/bench
WORKER=$ROOT/build/mtw-worker
RUNS=${MTW_BENCH_RUNS:-3}
PG_BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d \
    | sort -V | tail -n 1)
NODE_GTFS=$ROOT/bench/peers/node_modules/.bin/gtfs-import

if [ ! -f "$FEED" ]; then
    echo "bench/import: $FEED is absent: skipped"
    exit 0
fi
[ -x "$WORKER" ] || { echo "bench/import: build the worker first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/import: needs /usr/bin/time (run: make bench-deps)" >&2; exit 1; }
[ -x "$NODE_GTFS" ] || { echo "bench/import: node-gtfs is missing (run: make bench-deps)" >&2; exit 1; }

mkdir -p "$CACHE"
X20=$CACHE/saskatoon-x20.zip
if [ ! -f "$X20" ] || [ -n "$(find "$FEED" -newer "$X20")" ]; then
    echo "building the x20 feed with gtfs-scale (once, cached in build/bench/)..."
    python3 "$SCALE" "$FEED" "$X20.tmp" 20
    mv "$X20.tmp" "$X20"
fi

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

TMP=$(mktemp -d /tmp/mtw-bench-XXXXXX)
chmod 755 "$TMP"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    as_postgres "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

mkdir -p "$TMP/pg"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$TMP/pg"
as_postgres "$PG_BIN/initdb" -D "$TMP/pg/data" -U postgres -A trust -E UTF8 \
    --locale=C >"$TMP/initdb.log" 2>&1
as_postgres "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/postgres.log" -w \
    -o "-p $PORT -k $TMP/pg -c listen_addresses=127.0.0.1" start >/dev/null
"$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -c 'CREATE DATABASE mtw' postgres
export MTW_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/mtw"
"$WORKER" migrate >/dev/null

# run LABEL CITY ZIP [PEER]: RUNS imports; with PEER, a node-gtfs import of
# the same zip after each of ours (alternated, medians of both).  Prints
# the median and writes "wall rss" to $TMP/CITY.result for the summary
run() {
    label=$1 city=$2 zip=$3 peer=${4:-}
    : > "$TMP/$city.times"
    : > "$TMP/node-gtfs.times"
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        /usr/bin/time -f '%e %M' -o "$TMP/time" "$WORKER" gtfs-load --city "$city" \
            "$zip" > "$TMP/out"
        cat "$TMP/time" >> "$TMP/$city.times"
        if [ -n "$peer" ]; then
            rm -f "$TMP/node-gtfs.db"
            /usr/bin/time -f '%e %M' -o "$TMP/time" "$NODE_GTFS" --gtfsPath "$zip" \
                --sqlitePath "$TMP/node-gtfs.db" > "$TMP/node-gtfs.out" 2>&1 \
                || { cat "$TMP/node-gtfs.out"; echo "bench/import: node-gtfs failed"; exit 1; }
            cat "$TMP/time" >> "$TMP/node-gtfs.times"
        fi
    done
    if [ -n "$peer" ]; then
        ng=$(sort -n "$TMP/node-gtfs.times" | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
        ngrss=$(awk '$2 > m { m = $2 } END { print m }' "$TMP/node-gtfs.times")
        printf '%-26s median %6.2f s  [%s]  peak RSS %5.1f MB\n' "node-gtfs (SQLite)" "$ng" \
            "$(awk '{ printf "%s%s", sep, $1; sep = " " }' "$TMP/node-gtfs.times")" \
            "$(echo "$ngrss" | awk '{ print $1 / 1024 }')"
        echo "$ng" > "$TMP/node-gtfs.result"
    fi
    rows=$(sed -n 's/^city .*gtfs_version [0-9]*, \([0-9]*\) rows.*/\1/p' "$TMP/out")
    st=$(sed -n 's/^stop_times\.txt *\([0-9]*\) rows.*/\1/p' "$TMP/out")
    wall=$(sort -n "$TMP/$city.times" | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
    rss=$(awk '$2 > m { m = $2 } END { print m }' "$TMP/$city.times")
    all=$(awk '{ printf "%s%s", sep, $1; sep = " " }' "$TMP/$city.times")
    printf '%-26s %9s rows (%s stop_times)  median %6.2f s  [%s]  %8.0f rows/s  peak RSS %5.1f MB\n' \
        "$label" "$rows" "$st" "$wall" "$all" "$(echo "$rows $wall" | awk '{ print $1 / $2 }')" \
        "$(echo "$rss" | awk '{ print $1 / 1024 }')"
    echo "$wall $rss" > "$TMP/$city.result"
}

echo "GTFS import into PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') (default settings), $RUNS runs each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run "saskatoon" saskatoon "$FEED" node-gtfs
run "saskatoon x20" x20 "$X20"

read -r saskatoon_wall saskatoon_rss < "$TMP/saskatoon.result"
read -r x20_wall x20_rss < "$TMP/x20.result"
read -r ng_wall < "$TMP/node-gtfs.result"
awk -v s="$saskatoon_wall" -v x="$x20_wall" -v rs="$saskatoon_rss" -v rx="$x20_rss" \
    -v ng="$ng_wall" 'BEGIN {
    ok = 1
    printf "saskatoon: %.2f s (target <= 1.5 s: %s); node-gtfs %.2f s in the same run: %.1fx faster (target >= 2x: %s)\n",
        s, (s <= 1.5) ? "met" : "MISSED", ng, ng / s, (ng / s >= 2) ? "met" : "MISSED"
    printf "x20: %.2f s = %.1fx saskatoon for 20x the rows (target <= 20x: %s)\n",
        x, x / s, (x / s <= 20) ? "met" : "MISSED"
    printf "peak RSS: %.1f MB saskatoon, %.1f MB x20 (target < 64 MB: %s)\n",
        rs / 1024, rx / 1024, (rs < 65536 && rx < 65536) ? "met" : "MISSED"
    if (s > 1.5 || ng / s < 2 || x / s > 20 || rs >= 65536 || rx >= 65536) ok = 0
    exit !ok
}' || { echo "bench/import: targets missed"; exit 1; }
echo "bench/import: all targets met"
