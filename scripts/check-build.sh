#!/bin/sh
# check-build.sh - the module's addon script lists every module file, and
# incremental builds rebuild only what depends on a change.
#
# `config` names the module's sources one by one (as nginx's own modules
# do): every .c and .h in ngx_mtw_module/ must be named there, and every
# name there must exist.  Then it touches one worker source and one module
# source and asks make (dry run) what it would do: exactly that object and
# the final link, nothing else.
set -eu
cd "$(dirname "$0")/.."

listed=$(grep -o 'ngx_mtw_module/[A-Za-z0-9_]*\.[ch]' config | sort -u)
present=$(find ngx_mtw_module -maxdepth 1 -name '*.[ch]' | sort -u)
missing=$(echo "$present" | grep -vxF "$listed" || true)
stale=$(echo "$listed" | grep -vxF "$present" || true)
if [ -n "$missing" ] || [ -n "$stale" ]; then
    [ -z "$missing" ] || echo "check-build: not listed in config:" "$missing"
    [ -z "$stale" ] || echo "check-build: listed in config, not there:" "$stale"
    exit 1
fi

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
