#!/bin/sh
# nginx-start.sh - entrypoint of the nginx image (installed as
# /usr/local/bin/mtw-nginx-start): renders /etc/mtw/nginx-container.conf.in
# from the environment and runs nginx in the foreground as the current
# (unprivileged) user.
#
#   mtw-nginx-start               render, then exec nginx
#   mtw-nginx-start --check       render, then nginx -t
#   mtw-nginx-start --render FILE render into FILE only
#
# Environment: MTW_REDIS_ADDR (host:port of Redis, required), MTW_HTTP_PORT
# (8080), MTW_TRUSTED_PROXY_CIDR (10.0.0.0/8: the load balancer's network),
# MTW_ROOT (prefix of the image's files, "" in the image; tests point it at
# a staged tree), MTW_RUN_DIR (/run/mtw, writable: pid, temp files).
set -eu

root=${MTW_ROOT:-}
run=${MTW_RUN_DIR:-/run/mtw}
port=${MTW_HTTP_PORT:-8080}
proxy=${MTW_TRUSTED_PROXY_CIDR:-10.0.0.0/8}
redis=${MTW_REDIS_ADDR:-}

fail() { echo "mtw-nginx-start: $*" >&2; exit 1; }

[ -n "$redis" ] || fail "MTW_REDIS_ADDR is not set (host:port of Redis)"
case "$redis" in
    *[!A-Za-z0-9.:_/-]*) fail "MTW_REDIS_ADDR '$redis' has characters \
outside [A-Za-z0-9.:_/-]" ;;
esac
case "$port" in
    ''|*[!0-9]*) fail "MTW_HTTP_PORT '$port' is not a port number" ;;
esac
case "$proxy" in
    *[!0-9a-fA-F.:/]*|'') fail "MTW_TRUSTED_PROXY_CIDR '$proxy' is not a CIDR" ;;
esac

render() {
    sed -e "s|@ROOT@|$root|g" -e "s|@RUN@|$run|g" \
        -e "s|@HTTP_PORT@|$port|g" -e "s|@REDIS_ADDR@|$redis|g" \
        -e "s|@TRUSTED_PROXY_CIDR@|$proxy|g" \
        "$root/etc/mtw/nginx-container.conf.in" >"$1"
}

mkdir -p "$run"
conf=$run/nginx.conf
case "${1:-}" in
    --render)
        [ $# -eq 2 ] || fail "usage: mtw-nginx-start --render FILE"
        render "$2"
        exit 0 ;;
    --check)
        render "$conf"
        exec nginx -e stderr -p "$run/" -c "$conf" -t ;;
    '')
        render "$conf"
        exec nginx -e stderr -p "$run/" -c "$conf" -g 'daemon off;' ;;
    *) fail "unknown argument '$1'" ;;
esac
