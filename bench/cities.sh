#!/bin/sh
# bench/cities.sh - ten Saskatoon-sized cities on one worker, then two
# workers sharing them with one killed (bench/cities.pl says what is
# measured).  Figures for docs/scaling.md; exits 1 when one worker cannot
# keep up or a failover is too slow.
#
#   sh bench/cities.sh [WINDOW_POLLS]   (default 20; after `make`)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ROOT/build/mtw-worker" ] || { echo "bench/cities.sh: build first (make)" >&2; exit 1; }
exec perl -I"$ROOT/t/lib" "$ROOT/bench/cities.pl" "${1:-20}"
