#!/bin/sh
# test-clones.sh - `make test` on N fresh clones in a row, as CI does: each a
# plain `git clone` of the commit (no ../shared beside it), each in a new
# folder, stopped at the first failure.  Its log is kept.
#
#   sh scripts/test-clones.sh [N] [REPO]    (default 10, this checkout)
set -eu
N=${1:-10}
REPO=${2:-$(cd "$(dirname "$0")/.." && pwd)}
COMMIT=$(git -C "$REPO" rev-parse HEAD)
LOGS=$(mktemp -d /tmp/mtw-clones-XXXXXX)
i=1
while [ "$i" -le "$N" ]; do
    dir=$LOGS/clone-$i
    git clone -q "$REPO" "$dir"
    git -C "$dir" checkout -q "$COMMIT"
    start=$(date +%s)
    if (cd "$dir" && make test) > "$LOGS/run-$i.log" 2>&1; then
        echo "test-clones: run $i of $N passed in $(( $(date +%s) - start )) s"
        rm -rf "$dir"
    else
        echo "test-clones: run $i of $N FAILED (log: $LOGS/run-$i.log)" >&2
        grep -E '^(t/|Failed|  Failed)' "$LOGS/run-$i.log" | grep -v ' ok$' >&2 || true
        exit 1
    fi
    i=$((i + 1))
done
echo "test-clones: $N fresh clones of $COMMIT passed make test in a row (logs: $LOGS)"
