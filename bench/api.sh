#!/bin/sh
# bench/api.sh - /api/score from Redis through the module vs the same bytes
# as a static file (open_file_cache): the ceiling nginx itself sets on this
# machine.  One nginx worker process, wrk at 50 connections, both measured
# in this run.  Prints req/s, the ratio, p50/p99 latency, errors and the
# worker's RSS before and after a soak of about 1,000,000 requests.
#
#   sh bench/api.sh            (after `make`)
#   MTW_BENCH_SECS=5 MTW_BENCH_ROUNDS=3 MTW_BENCH_SOAK=1000000 sh bench/api.sh
#
# The static and module runs alternate ROUNDS times (medians printed), so
# a neighbour's load on the shared cores hits both alike.
#
# Targets (issue 6): ratio >= 0.6, p99 < 5 ms, 0 errors, RSS growth < 1 MB.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${MTW_BENCH_SECS:-5}
ROUNDS=${MTW_BENCH_ROUNDS:-3}
SOAK=${MTW_BENCH_SOAK:-1000000}
MODULE=$ROOT/build/nginx/objs/ngx_http_mtw_module.so

[ -f "$MODULE" ] || { echo "bench/api.sh: build first (make)"; exit 1; }
command -v wrk >/dev/null || { echo "bench/api.sh: wrk is missing"; exit 1; }

DIR=$(mktemp -d /tmp/mtw-bench-XXXXXX)
chmod 755 "$DIR"
port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1",LocalPort=>0)->sockport'; }
RPORT=$(port); APORT=$(port); SPORT=$(port)

cleanup() {
    if [ -f "$DIR/nginx.pid" ]; then kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true; fi
    if [ -f "$DIR/redis.pid" ]; then kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true; fi
    sleep 0.3
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$DIR/redis.pid" --dir "$DIR" \
    --logfile "$DIR/redis.log"
i=0; until redis-cli -p "$RPORT" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "redis did not start"; exit 1; }
    sleep 0.05; done

# the real document, stored as the worker stores it and written to a file
mkdir -p "$DIR/html/api"
perl -I"$ROOT/t/lib" -MMTW::ApiSeed -e '
    my $b = MTW::ApiSeed::score_body();
    open my $f, ">", "$ARGV[0]/html/api/score" or die; print $f $b; close $f;
    print MTW::ApiSeed::etag($b);' "$DIR" > "$DIR/etag"
redis-cli -p "$RPORT" -x hset mtw:bench:doc:score body < "$DIR/html/api/score" >/dev/null
redis-cli -p "$RPORT" hset mtw:bench:doc:score etag "$(cat "$DIR/etag")" ts "$(date +%s)" >/dev/null
BYTES=$(wc -c < "$DIR/html/api/score")

USER_LINE=""; [ "$(id -u)" = 0 ] && USER_LINE="user root;"

# the Lua peer, when Debian's libnginx-mod-http-lua is installed: the same
# HMGET through a cosocket (kept alive), the same bytes and ETag sent
LUA_LOAD=""; LUA_SERVER=""; LPORT=""
if [ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ]; then
    LPORT=$(port)
    LUA_LOAD="load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;"
    LUA_SERVER="server {
        listen 127.0.0.1:$LPORT;
        location = /api/score {
            default_type 'application/json; charset=utf-8';
            content_by_lua_block {
                local key = 'mtw:bench:doc:score'
                local sock = ngx.socket.tcp()
                sock:settimeouts(1000, 1000, 1000)
                local ok = sock:connect('127.0.0.1', $RPORT)
                if not ok then ngx.exit(503) end
                sock:send('*4\\r\\n\$5\\r\\nHMGET\\r\\n\$' .. #key .. '\\r\\n'
                          .. key .. '\\r\\n\$4\\r\\nbody\\r\\n\$4\\r\\netag\\r\\n')
                sock:receive()
                local n = tonumber(string.sub(sock:receive(), 2))
                local body = sock:receive(n + 2)
                local e = tonumber(string.sub(sock:receive(), 2))
                local etag = sock:receive(e + 2)
                sock:setkeepalive(10000, 64)
                ngx.header['ETag'] = string.sub(etag, 1, e)
                ngx.print(string.sub(body, 1, n))
            }
        }
    }"
fi
cat > "$DIR/nginx.conf" <<CONF
$LUA_LOAD
load_module $MODULE;
$USER_LINE
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $DIR/body;
    proxy_temp_path $DIR/proxy;
    fastcgi_temp_path $DIR/fastcgi;
    uwsgi_temp_path $DIR/uwsgi;
    scgi_temp_path $DIR/scgi;
    keepalive_requests 100000000;
    mtw_redis 127.0.0.1:$RPORT;
    @CACHE@
    server {
        listen 127.0.0.1:$APORT;
        location /api/ { mtw_api; mtw_city bench; }
    }
    server {
        listen 127.0.0.1:$SPORT;
        open_file_cache max=100 inactive=60s;
        open_file_cache_valid 60s;
        location /api/ { root $DIR/html; default_type application/json; }
    }
    $LUA_SERVER
}
CONF
sed -i 's/@CACHE@//' "$DIR/nginx.conf"
nginx -p "$DIR/" -c "$DIR/nginx.conf"
sleep 0.3
WORKER=$(pgrep -P "$(cat "$DIR/nginx.pid")" | head -1)
rss() { awk '/VmRSS/ { print $2 }' "/proc/$WORKER/status"; }

check=$(curl -s "http://127.0.0.1:$APORT/api/score" | wc -c)
[ "$check" = "$BYTES" ] || { echo "bench: module answered $check bytes, want $BYTES"; exit 1; }

run() {   # url seconds -> "rps p50_ms p99_ms errors requests"
    wrk -t2 -c50 -d"$2"s --latency "$1" > "$DIR/wrk.out" 2>&1
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                         if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
        /requests in/ { n = $1 }
        /Non-2xx/ { err += $NF } /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        END { printf "%d %.2f %.2f %d %d\n", rps, p50, p99, err, n }' "$DIR/wrk.out"
}

# warm both paths
wrk -t1 -c10 -d1s "http://127.0.0.1:$SPORT/api/score" >/dev/null 2>&1
wrk -t1 -c10 -d1s "http://127.0.0.1:$APORT/api/score" >/dev/null 2>&1

RSS0=$(rss)
# alternate the two, ROUNDS times, and keep the median of each figure
: > "$DIR/static.runs"; : > "$DIR/module.runs"
r=0; while [ $r -lt "$ROUNDS" ]; do
    run "http://127.0.0.1:$SPORT/api/score" "$SECS" >> "$DIR/static.runs"
    run "http://127.0.0.1:$APORT/api/score" "$SECS" >> "$DIR/module.runs"
    r=$((r + 1))
done
L_RPS=""
if [ -n "$LPORT" ]; then
    lcheck=$(curl -s "http://127.0.0.1:$LPORT/api/score" | wc -c)
    [ "$lcheck" = "$BYTES" ] || { echo "bench: Lua peer answered $lcheck bytes"; exit 1; }
    wrk -t1 -c10 -d1s "http://127.0.0.1:$LPORT/api/score" >/dev/null 2>&1
    : > "$DIR/lua.runs"
    r=0; while [ $r -lt "$ROUNDS" ]; do
        run "http://127.0.0.1:$LPORT/api/score" "$SECS" >> "$DIR/lua.runs"
        r=$((r + 1))
    done
fi
median() {   # file column
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
errors() { awk '{ e += $4 } END { print e + 0 }' "$1"; }
S_RPS=$(median "$DIR/static.runs" 1); S_P50=$(median "$DIR/static.runs" 2)
S_P99=$(median "$DIR/static.runs" 3); S_ERR=$(errors "$DIR/static.runs")
A_RPS=$(median "$DIR/module.runs" 1); A_P50=$(median "$DIR/module.runs" 2)
A_P99=$(median "$DIR/module.runs" 3); A_ERR=$(errors "$DIR/module.runs")
if [ -n "$LPORT" ]; then
    L_RPS=$(median "$DIR/lua.runs" 1); L_P50=$(median "$DIR/lua.runs" 2)
    L_P99=$(median "$DIR/lua.runs" 3); L_ERR=$(errors "$DIR/lua.runs")
fi

# soak: enough seconds for about $SOAK requests at the measured rate
SOAK_SECS=$(( SOAK / (A_RPS > 0 ? A_RPS : 1) + 1 ))
RSS1=$(rss)
# shellcheck disable=SC2046  # run prints fields meant to be split
set -- $(run "http://127.0.0.1:$APORT/api/score" "$SOAK_SECS"); K_ERR=$4 K_N=$5
RSS2=$(rss)

# the same with the micro-cache (mtw_cache 250ms): a fresh nginx
kill "$(cat "$DIR/nginx.pid")"; sleep 0.5
sed -i "s|^    mtw_redis 127.0.0.1:$RPORT;|&\n    mtw_cache 250ms;|" "$DIR/nginx.conf"
nginx -p "$DIR/" -c "$DIR/nginx.conf"
sleep 0.3
wrk -t1 -c10 -d1s "http://127.0.0.1:$APORT/api/score" >/dev/null 2>&1
# shellcheck disable=SC2046  # run prints fields meant to be split
set -- $(run "http://127.0.0.1:$APORT/api/score" "$SECS"); C_RPS=$1 C_P50=$2 C_P99=$3 C_ERR=$4

echo "== bench/api: /api/score ($BYTES bytes), 1 nginx worker, wrk -c50, medians of $ROUNDS x ${SECS}s"
printf '%-34s %10s %9s %9s %7s\n' "" "req/s" "p50 ms" "p99 ms" "errors"
printf '%-34s %10d %9.2f %9.2f %7d\n' "static file (ceiling)" "$S_RPS" "$S_P50" "$S_P99" "$S_ERR"
printf '%-34s %10d %9.2f %9.2f %7d\n' "mtw module from Redis" "$A_RPS" "$A_P50" "$A_P99" "$A_ERR"
printf '%-34s %10d %9.2f %9.2f %7d\n' "mtw module + mtw_cache 250ms" "$C_RPS" "$C_P50" "$C_P99" "$C_ERR"
if [ -n "$L_RPS" ]; then
    printf '%-34s %10d %9.2f %9.2f %7d\n' "Lua cosocket peer (http-lua)" "$L_RPS" "$L_P50" "$L_P99" "$L_ERR"
    awk -v a="$A_RPS" -v l="$L_RPS" -v s="$S_RPS" 'BEGIN {
        printf "ratio Lua peer/ceiling: %.2f; module/Lua peer: %.2f (target >= 1.5)\n", l / s, a / l }'
else
    echo "Lua peer: skipped (libnginx-mod-http-lua is not installed)"
fi
awk -v a="$A_RPS" -v s="$S_RPS" -v c="$C_RPS" 'BEGIN {
    printf "ratio module/ceiling: %.2f (target >= 0.60)\n", a / s
    printf "ratio module+mtw_cache/ceiling: %.2f (answers up to 250 ms older than Redis)\n", c / s }'
echo "soak: $K_N requests in ${SOAK_SECS}s, errors $K_ERR"
echo "worker RSS: start ${RSS0} KB, before soak ${RSS1} KB, after soak ${RSS2} KB, growth over the soak $((RSS2 - RSS1)) KB (target < 1024)"
if grep -E '\[(alert|crit|emerg)\]' "$DIR/error.log"; then
    echo "bench: nginx logged alerts"
    exit 1
fi
