#!/bin/sh
# rt.sh - realtime ingestion benchmarks (run by `make bench`).
#
#  1. decode of the 2.49 MB Auckland TripUpdates feed (2,847 entities) with
#     protobuf-c into the worker's arena, limit 12 ms, against protobuf-c's
#     default malloc allocator as the peer measured in the run; and the whole
#     snapshot build the poller does (decode + model), CPU time;
#  2. one full poll cycle for Saskatoon (decode + publish to a local Redis),
#     CPU per cycle over replayed captures, limit 5 ms;
#  3. worker RSS for Saskatoon over 10,000 replayed cycles: limit 64 MB and
#     no growth (end vs. warm).
# Figures are medians or averages measured here; ratios are against the
# limits and the peer.  Needs ../shared/data (skips, saying so, without it).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/../shared/data
WORKER=$ROOT/build/mtw-worker
CYCLES=${MTW_BENCH_CYCLES:-10000}

if [ ! -f "$DATA/auckland/trip-updates-2014-11-30.pb" ] \
   || [ ! -d "$DATA/saskatoon/rt-2019-06-23" ]; then
    echo "rt: ../shared/data is absent: realtime benchmarks skipped"
    exit 0
fi

TMP=$(mktemp -d /tmp/mtw-bench-rt.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    if [ -f "$TMP/redis.pid" ]; then kill "$(cat "$TMP/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# field NAME JSON: a number out of a flat JSON object
field() { echo "$2" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
within() {   # a limit -> ok, or OVER (and the bench will exit 1)
    if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; then echo ok
    else echo OVER; echo "$1 > $2" >> "$TMP/over"; fi
}

echo "== rt: decode, Auckland TripUpdates (2.49 MB, 2,847 entities), median CPU of 100"
out=$("$WORKER" decode --repeat 100 "$DATA/auckland/trip-updates-2014-11-30.pb")
cpu=$(field snapshot_ms "$out")
snap=$(field snapshot_wall_ms "$out")
arena=$(field arena_ms "$out")
peer=$(field malloc_ms "$out")
echo "   protobuf-c + malloc (peer)      ${peer} ms"
echo "   protobuf-c + worker arena       ${arena} ms   ($(ratio "$peer" "$arena")x faster than the peer)"
echo "   snapshot build (arena + model)  ${snap} ms wall, ${cpu} ms CPU"
echo "   decode vs limit 12 ms: $(ratio "$arena" 12) of the limit [$(within "$arena" 12)]"
echo "   decode + model (CPU) vs 12 ms: $(ratio "$cpu" 12) of the limit [$(within "$cpu" 12)]"

redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$TMP/redis.pid" --dir "$TMP" \
    --logfile "$TMP/redis.log"
i=0
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "rt: redis did not start"; exit 1; }
    sleep 0.05
done

echo "== rt: Saskatoon poll cycle (decode + publish to local Redis), $CYCLES replayed cycles"
out=$(MTW_REDIS_URL="redis://127.0.0.1:$PORT" MTW_CLOCK=feed MTW_CITY=bench \
      MTW_LOG_LEVEL=error "$WORKER" run \
      --replay "$DATA/saskatoon/rt-2019-06-23" --cycles "$CYCLES")
cyc=$(field cpu_ms_per_cycle "$out")
warm=$(field rss_kb_warm "$out")
mid=$(field rss_kb_mid "$out")
end=$(field rss_kb_end "$out")
echo "   CPU per cycle                   ${cyc} ms (vehicles + trip updates + alerts, with the tick hook)"
echo "   limit 5 ms: $(ratio "$cyc" 5) of the limit [$(within "$cyc" 5)]"
echo "   RSS warm / mid / end            ${warm} / ${mid} / ${end} kB"
echo "   limit 64 MB: $(ratio "$end" 65536) of the limit [$(within "$end" 65536)]"
echo "   growth after warm-up            $((end - warm)) kB over $CYCLES cycles"
if [ -s "$TMP/over" ]; then
    echo "rt: limits missed"
    exit 1
fi
echo "rt: all limits met"
