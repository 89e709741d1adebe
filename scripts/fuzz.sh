#!/bin/sh
# fuzz.sh - runs each libFuzzer target for SECS seconds on its seeds
# (fuzz/corpus/<target>/) plus a working corpus in build/fuzz/, and prints
# executions per second and coverage, as many targets at a time as there are
# cores.  Exits 1 when a target crashes (the input is kept in
# build/fuzz/artifacts/).
#
#   sh scripts/fuzz.sh SECS build/fuzz/fuzz_x [...]     (make fuzz)
set -eu
SECS=$1
shift
mkdir -p build/fuzz/artifacts
status=0
# one target: its result line (or what crashed) into build/fuzz/NAME.result
fuzz_one() {
    bin=$1
    name=$(basename "$bin")
    work=build/fuzz/corpus-$name
    mkdir -p "$work"
    log=build/fuzz/$name.log
    if "$bin" -max_total_time="$SECS" -print_final_stats=1 -max_len=65536 \
        -rss_limit_mb=2048 -artifact_prefix=build/fuzz/artifacts/"$name"- \
        "$work" "fuzz/corpus/$name" > "$log" 2>&1; then
        execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        total=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
        ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
        echo "fuzz: $name: $SECS s, $total runs, $execs execs/s, coverage $cov edges, $ft features" \
            > "build/fuzz/$name.result"
        return 0
    fi
    { echo "fuzz: $name CRASHED (log: $log)"
      grep -E 'ERROR|SUMMARY|Test unit written' "$log" || true; } \
        > "build/fuzz/$name.result"
    return 1
}
# as many targets at a time as there are cores (each is single-threaded)
JOBS=$(nproc 2>/dev/null || echo 1)
while [ $# -gt 0 ]; do
    batch="" pids="" n=0
    while [ $# -gt 0 ] && [ $n -lt "$JOBS" ]; do
        fuzz_one "$1" &
        pids="$pids $!" batch="$batch $1" n=$((n + 1))
        shift
    done
    for pid in $pids; do
        wait "$pid" || status=1
    done
    for bin in $batch; do
        name=$(basename "$bin")
        if grep -q CRASHED "build/fuzz/$name.result"; then
            cat "build/fuzz/$name.result" >&2
        else
            cat "build/fuzz/$name.result"
        fi
    done
done
exit $status
