#!/bin/sh
# check-layers.sh - the worker's folders import strictly downward.
#
# Layers, top to bottom (a file may include its own folder and any folder
# of a lower layer; never a higher one, never a sibling of its own layer):
#
#   0  main.c            the entry point, dispatches to the subcommands
#   1  cmd/              subcommands
#   2  sim/              the feed simulator (uses gtfs/ for its schedule)
#   3  jobs/ gtfs/       run-loop jobs; GTFS import
#   4  store/ sql/       PostgreSQL and Redis access; migrations
#   5  docs/             the published JSON documents
#   6  score/ feed/      pure scoring model; GTFS-RT decoding
#   7  config.c/.h       the worker's settings, read by any layer above;
#      proto             the generated gtfs-realtime.pb-c.h
#   8  util/             JSON writer, arena, dates, logging, CLI
#
# worker/tests/ (unit tests) may include anything.  Usage:
#   scripts/check-layers.sh [DIR]     DIR defaults to worker/
set -eu
cd "$(dirname "$0")/.."
root=${1:-worker}

# layer NAME: the rank of a folder (or top-level unit); empty when unknown
layer() {
    case $1 in
        main)                   echo 0 ;;
        cmd)                    echo 1 ;;
        sim)                    echo 2 ;;
        jobs|gtfs)              echo 3 ;;
        store|sql)              echo 4 ;;
        docs)                   echo 5 ;;
        score|feed)             echo 6 ;;
        config|proto)           echo 7 ;;
        util)                   echo 8 ;;
        *)                      echo "" ;;
    esac
}

# unit FILE: the layer unit a worker file belongs to (path under $root)
unit() {
    case $1 in
        */*) echo "${1%%/*}" ;;
        *)   n=${1%.*}; echo "$n" ;;
    esac
}

# target DIR INCLUDE: the unit an #include "INCLUDE" written in folder DIR
# resolves to, as the compiler does (own folder, then -Iworker, then the
# generated protobuf header)
target() {
    case $2 in
        gtfs-realtime.pb-c.h) echo proto; return ;;
    esac
    if [ "$1" != . ] && [ -f "$root/$1/$2" ]; then
        echo "$1"
    elif [ -f "$root/$2" ]; then
        unit "$2"
    else
        echo "?$2"
    fi
}

bad=0
checked=0
for path in "$root"/*.[ch] "$root"/*/*.[ch]; do
    [ -f "$path" ] || continue
    rel=${path#"$root"/}
    case $rel in
        tests/*) continue ;;
    esac
    dir=$(dirname "$rel")
    from=$(unit "$rel")
    from_rank=$(layer "$from")
    if [ -z "$from_rank" ]; then
        echo "check-layers: $path: folder '$from' has no layer (add it to scripts/check-layers.sh)"
        bad=1
        continue
    fi
    includes=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$path")
    for inc in $includes; do
        to=$(target "$dir" "$inc")
        checked=$((checked + 1))
        [ "$to" = "$from" ] && continue
        to_rank=$(layer "$to")
        if [ -z "$to_rank" ]; then
            echo "check-layers: $path includes \"$inc\": not a worker file or folder without a layer"
            bad=1
        elif [ "$to_rank" -le "$from_rank" ]; then
            echo "check-layers: $path ($from, layer $from_rank) includes \"$inc\" ($to, layer $to_rank): imports must go down"
            bad=1
        fi
    done
done
if [ "$bad" -ne 0 ]; then
    exit 1
fi
if [ "$checked" -eq 0 ]; then
    echo "check-layers: no includes found under $root"
    exit 1
fi
echo "check-layers: $checked includes in $root import strictly downward: ok"
