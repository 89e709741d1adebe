#!/bin/sh
# check-build.sh - incremental builds rebuild only what depends on a change.
#
# Touches one worker source and one module source and asks make (dry run)
# what it would do: exactly that object and the final link, nothing else.
set -eu
cd "$(dirname "$0")/.."

make -s worker module >/dev/null

touch worker/util/log.c
plan=$(make -n worker)
compiles=$(echo "$plan" | grep -c -- ' -c ' || true)
if [ "$compiles" -ne 1 ] || ! echo "$plan" | grep -q 'worker/util/log.c'; then
    echo "check-build: touching worker/util/log.c would compile $compiles files:"
    echo "$plan"
    exit 1
fi
make -s worker >/dev/null

touch ngx_mtw_module/ngx_http_mtw_module.h
touch ngx_mtw_module/ngx_http_mtw_json.c
# a header change rebuilds the module's files but never reconfigures nginx
plan=$(make -n module)
if echo "$plan" | grep -q 'configure'; then
    echo "check-build: editing a module file would reconfigure nginx"
    exit 1
fi
make -s module >/dev/null
touch ngx_mtw_module/ngx_http_mtw_json.c
plan=$(make -n module)
compiles=$(echo "$plan" | grep -c -- ' -c ' || true)
if [ "$compiles" -ne 1 ] || ! echo "$plan" | grep -q 'ngx_http_mtw_json.c'; then
    echo "check-build: touching ngx_http_mtw_json.c would compile $compiles files:"
    echo "$plan"
    exit 1
fi
make -s module >/dev/null
echo "check-build: incremental worker and module builds: ok"
