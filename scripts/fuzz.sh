#!/bin/sh
# fuzz.sh - runs each libFuzzer target for SECS seconds on its seeds
# (fuzz/corpus/<target>/) plus a working corpus in build/fuzz/, and prints
# executions per second and coverage.  Exits 1 when a target crashes (the
# input is kept in build/fuzz/artifacts/).
#
#   sh scripts/fuzz.sh SECS build/fuzz/fuzz_x [...]     (make fuzz)
set -eu
SECS=$1
shift
mkdir -p build/fuzz/artifacts
status=0
for bin in "$@"; do
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
        echo "fuzz: $name: $SECS s, $total runs, $execs execs/s, coverage $cov edges, $ft features"
    else
        echo "fuzz: $name CRASHED (log: $log)" >&2
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" >&2 || true
        status=1
    fi
done
exit $status
