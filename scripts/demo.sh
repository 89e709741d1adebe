#!/usr/bin/env bash
# demo.sh - run (start) or stop the whole stack locally, under .state/.
#
#   bash scripts/demo.sh start   # what `make demo` runs
#   bash scripts/demo.sh stop    # what `make demo-stop` runs
#
# Every process is started on loopback with a pid file in .state/, and a
# service whose pid file names a live process is not started again, so
# running `make demo` twice starts nothing twice.  Ports may be overridden:
# MTW_DEMO_HTTP_PORT (8080), MTW_DEMO_REDIS_PORT (6380),
# MTW_DEMO_PG_PORT (5440).  GTFS=path.zip plays that static feed (default:
# the project's own demo feed); MTW_VEHICLES_URL/MTW_TRIPS_URL/MTW_ALERTS_URL
# poll an agency's live feeds instead of the simulator; MTW_CITY names the
# city (demo).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=$ROOT/.state
HTTP_PORT=${MTW_DEMO_HTTP_PORT:-8080}
REDIS_PORT=${MTW_DEMO_REDIS_PORT:-6380}
PG_PORT=${MTW_DEMO_PG_PORT:-5440}
PG_BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d \
         | sort -V | tail -n 1)
WORKER=$ROOT/build/mtw-worker
MODULE=$ROOT/build/nginx/objs/ngx_http_mtw_module.so
DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/mtw"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# alive PIDFILE: true when the pid file names a running process
alive() {
    [ -f "$1" ] && kill -0 "$(head -n 1 "$1")" 2>/dev/null
}

wait_port() {
    i=0
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && { echo "demo: port $1 did not open" >&2; return 1; }
        sleep 0.1
    done
}

start_redis() {
    if alive "$STATE/redis.pid"; then echo "redis: already running"; return; fi
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
        --pidfile "$STATE/redis.pid" --dir "$STATE" \
        --logfile "$STATE/logs/redis.log" --save 60 1000 --appendonly no
    echo "redis: started on 127.0.0.1:$REDIS_PORT"
}

start_postgres() {
    if alive "$STATE/pg/data/postmaster.pid"; then
        echo "postgres: already running"; return
    fi
    if [ ! -f "$STATE/pg/data/PG_VERSION" ]; then
        mkdir -p "$STATE/pg"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$STATE/pg"
        as_postgres "$PG_BIN/initdb" -D "$STATE/pg/data" -U postgres -A trust \
            -E UTF8 --locale=C >"$STATE/logs/initdb.log" 2>&1
    fi
    as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/postgres.log" \
        -w -o "-p $PG_PORT -k $STATE/pg -c listen_addresses=127.0.0.1" start \
        >/dev/null
    "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'mtw'" | grep -q 1 \
        || "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
            -c "CREATE DATABASE mtw"
    echo "postgres: started on 127.0.0.1:$PG_PORT (database mtw)"
}

start_nginx() {
    if alive "$STATE/nginx.pid"; then echo "nginx: already running"; return; fi
    mkdir -p "$STATE/nginx-tmp" "$STATE/feeds"
    sed -e "s|@MODULE@|$MODULE|g" -e "s|@STATE@|$STATE|g" \
        -e "s|@ROOT@|$ROOT|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
        -e "s|@REDIS_PORT@|$REDIS_PORT|g" \
        "$ROOT/conf/nginx-local.conf.in" >"$STATE/nginx.conf"
    user=""
    [ "$(id -u)" -eq 0 ] && user="user root;"
    nginx -p "$STATE/" -c "$STATE/nginx.conf" ${user:+-g "$user"}
    wait_port "$HTTP_PORT"
    echo "nginx: started on 127.0.0.1:$HTTP_PORT"
}

# start_daemon NAME CMD...: a background process with a pid file and a log
start_daemon() {
    name=$1
    shift
    if alive "$STATE/$name.pid"; then echo "$name: already running"; return; fi
    MTW_REDIS_URL=$REDIS_URL MTW_DATABASE_URL=$DATABASE_URL \
        nohup "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$STATE/$name.pid"
    echo "$name: started (log: .state/logs/$name.log)"
}

# The static feed the demo plays: GTFS=path.zip, else the project's own
# small demo feed (written once by `mtw-worker simulate --demo-gtfs`).
demo_gtfs() {
    if [ -n "${GTFS:-}" ]; then
        [ -f "$GTFS" ] || { echo "demo: GTFS=$GTFS: no such file" >&2; return 1; }
        echo "$(cd "$(dirname "$GTFS")" && pwd)/$(basename "$GTFS")"
        return
    fi
    if [ ! -s "$STATE/demo-gtfs.zip" ]; then
        "$WORKER" simulate --demo-gtfs "$STATE/demo-gtfs.zip" >&2
    fi
    echo "$STATE/demo-gtfs.zip"
}

start() {
    mkdir -p "$STATE/logs" "$STATE/feeds"
    start_redis
    start_postgres
    start_nginx
    MTW_DATABASE_URL=$DATABASE_URL "$WORKER" migrate >>"$STATE/logs/worker.log" 2>&1 \
        || echo "demo: migrate failed (see .state/logs/worker.log)"
    city=${MTW_CITY:-demo}
    gtfs=$(demo_gtfs)
    if ! alive "$STATE/worker.pid"; then
        echo "gtfs-load: importing $(basename "$gtfs") as city '$city'"
        MTW_DATABASE_URL=$DATABASE_URL "$WORKER" gtfs-load --city "$city" "$gtfs" \
            >>"$STATE/logs/worker.log" 2>&1 \
            || echo "demo: gtfs-load failed (see .state/logs/worker.log)"
    fi
    # live feeds: the agency's when MTW_VEHICLES_URL is set, else the
    # simulator playing the schedule into .state/feeds/ (served by nginx)
    if [ -z "${MTW_VEHICLES_URL:-}" ]; then
        start_daemon simulator "$WORKER" simulate --gtfs "$gtfs" \
            --out "$STATE/feeds" --date auto --clock wall --interval 5
        feeds=http://127.0.0.1:$HTTP_PORT/feeds
        # the worker's first poll should find a frame
        i=0
        while [ ! -f "$STATE/feeds/Alerts.pb" ] && [ $i -lt 100 ]; do
            i=$((i + 1)); sleep 0.1
        done
        export MTW_VEHICLES_URL=$feeds/VehiclePositions.pb
        export MTW_TRIPS_URL=$feeds/TripUpdates.pb
        export MTW_ALERTS_URL=$feeds/Alerts.pb
    fi
    MTW_CITY=$city MTW_SERVICE_DATE=${MTW_SERVICE_DATE:-auto} \
        start_daemon worker "$WORKER" run
    cat <<EOT

mind-the-wait is running:
  dashboard   http://127.0.0.1:$HTTP_PORT/
  API         http://127.0.0.1:$HTTP_PORT/api/healthz
  live feeds  $MTW_VEHICLES_URL (and TripUpdates, Alerts)
  Redis       $REDIS_URL   (try: redis-cli -p $REDIS_PORT hgetall mtw:$city:heartbeat)
  PostgreSQL  $DATABASE_URL
Stop it with: make demo-stop
EOT
}

# stop_pidfile NAME FILE SIGNAL
stop_pidfile() {
    if ! alive "$2"; then rm -f "$2"; return; fi
    pid=$(head -n 1 "$2")
    kill "-$3" "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
        i=$((i + 1)); sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$2"
    echo "$1: stopped"
}

stop() {
    for f in "$STATE"/*.pid; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .pid)
        case $name in
            nginx|redis) ;;
            *) stop_pidfile "$name" "$f" TERM ;;
        esac
    done
    stop_pidfile nginx "$STATE/nginx.pid" QUIT
    stop_pidfile redis "$STATE/redis.pid" TERM
    if alive "$STATE/pg/data/postmaster.pid"; then
        as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -m fast -w stop >/dev/null
        echo "postgres: stopped"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: demo.sh start|stop" >&2; exit 2 ;;
esac
