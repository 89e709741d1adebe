#!/bin/sh
# bench/soak.sh - mixed traffic against 2 nginx workers while the worker
# publishes every second, with faults injected in turn: Redis restarted and
# paused, the feed failing three ways, nginx reloaded and upgraded.  Prints
# requests, errors by class, p99, RSS at start and end and arrivals lost;
# exits 1 when a target is missed (bench/soak.pl says which).
#
#   sh bench/soak.sh [SECONDS]          (default 120; after `make`)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ROOT/build/mtw-worker" ] || { echo "bench/soak.sh: build first (make)" >&2; exit 1; }
exec perl "$ROOT/bench/soak.pl" "${1:-120}"
