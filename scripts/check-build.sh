#!/bin/sh
# check-build.sh - incremental builds rebuild only what depends on a change.
#
# Touches one worker source and one module source and asks make (dry run)
# what it would do: exactly that object and the final link, nothing else.
set -eu
cd "$(dirname "$0")/.."

# expect_one_compile FILE TARGET: after touching FILE, `make TARGET` compiles
# FILE and nothing else
expect_one_compile() {
    touch "$1"
    plan=$(make -n "$2")
    compiles=$(echo "$plan" | grep -c -- ' -c ' || true)
    if [ "$compiles" -ne 1 ] || ! echo "$plan" | grep -q "$1"; then
        echo "check-build: touching $1 would compile $compiles files:"
        echo "$plan"
        exit 1
    fi
    make -s "$2" >/dev/null
}

make -s worker module >/dev/null

expect_one_compile worker/util/log.c worker

# a header change rebuilds the module's files but never reconfigures nginx
touch ngx_mtw_module/ngx_http_mtw_module.h
if make -n module | grep -q 'configure'; then
    echo "check-build: editing a module file would reconfigure nginx"
    exit 1
fi
make -s module >/dev/null

expect_one_compile ngx_mtw_module/ngx_http_mtw_json.c module
echo "check-build: incremental worker and module builds: ok"
