#!/bin/sh
# nginx-start.sh - entrypoint of the nginx image (/usr/local/bin/mtw-nginx-start):
# renders the production configuration /etc/mtw/nginx.conf (conf/nginx.conf)
# for this container and runs nginx in the foreground as the current,
# unprivileged user.
#
#   mtw-nginx-start                render, then exec nginx
#   mtw-nginx-start --check        render, then nginx -t
#   mtw-nginx-start --render FILE  render into FILE only
#
# Rendering sets, from the environment: the Redis address (MTW_REDIS_ADDR,
# host:port, required), its TLS and AUTH (optional: MTW_REDIS_TLS on|off,
# MTW_REDIS_TLS_NAME the name its certificate must carry, MTW_REDIS_CA_FILE
# the CAs to trust, MTW_REDIS_USER, MTW_REDIS_PASSWORD - ElastiCache's AUTH
# token, an ECS secret), the default city (MTW_CITY, optional), the load
# balancer's network for the client address (MTW_TRUSTED_PROXY_CIDR,
# optional), the port (MTW_HTTP_PORT, 8080); it moves the pid and temporary
# files into MTW_RUN_DIR (/run/mtw, writable by the user) and prefixes the
# image's own paths with MTW_ROOT ("" in the image; tests point it at a
# staged tree).  Every substitution must take, or the start fails naming
# the line it could not find (a configuration without a mtw_redis_tls line
# never starts in clear when MTW_REDIS_TLS=on asks for TLS).
set -eu
# the rendered configuration holds the Redis password: readable by the
# user nginx runs as, nobody else
umask 077

root=${MTW_ROOT:-}
run=${MTW_RUN_DIR:-/run/mtw}
conf_in=${MTW_NGINX_CONF:-$root/etc/mtw/nginx.conf}
port=${MTW_HTTP_PORT:-8080}
redis=${MTW_REDIS_ADDR:-}
password=${MTW_REDIS_PASSWORD:-}
tls=${MTW_REDIS_TLS:-}
tls_name=${MTW_REDIS_TLS_NAME:-}
ca_file=${MTW_REDIS_CA_FILE:-}
redis_user=${MTW_REDIS_USER:-}
city=${MTW_CITY:-}
tile_url=${MTW_TILE_URL:-}
tile_attribution=${MTW_TILE_ATTRIBUTION:-}
proxy=${MTW_TRUSTED_PROXY_CIDR:-}

fail() { echo "mtw-nginx-start: $*" >&2; exit 1; }

[ -f "$conf_in" ] || fail "no configuration at $conf_in"
[ -n "$redis" ] || fail "MTW_REDIS_ADDR is not set (host:port of Redis)"
case "$redis" in
    *[!A-Za-z0-9.:_/-]*) fail "MTW_REDIS_ADDR '$redis' has characters outside [A-Za-z0-9.:_/-]" ;;
esac
case "$port" in
    ''|*[!0-9]*) fail "MTW_HTTP_PORT '$port' is not a port number" ;;
esac
case "$password" in
    *[!A-Za-z0-9!#%^*+=_.,@~-]*) fail "MTW_REDIS_PASSWORD has characters outside [A-Za-z0-9!#%^*+=_.,@~-]" ;;
esac
case "$tls" in
    ''|on|off) ;;
    *) fail "MTW_REDIS_TLS '$tls' is neither on nor off" ;;
esac
case "$tls_name" in
    *[!A-Za-z0-9.-]*) fail "MTW_REDIS_TLS_NAME '$tls_name' is not a host name" ;;
esac
case "$ca_file" in
    *[!A-Za-z0-9._/-]*) fail "MTW_REDIS_CA_FILE '$ca_file' has characters outside [A-Za-z0-9._/-]" ;;
esac
case "$redis_user" in
    *[!A-Za-z0-9_.-]*) fail "MTW_REDIS_USER '$redis_user' has characters outside [A-Za-z0-9_.-]" ;;
esac
case "$city" in
    *[!a-z0-9-]*) fail "MTW_CITY '$city' is not a city slug" ;;
esac
case "$tile_url" in
    '') ;;
    http://*|https://*)
        case "$tile_url" in
            *[!A-Za-z0-9:/._~%?=\&{}-]*) fail "MTW_TILE_URL has characters outside [A-Za-z0-9:/._~%?=&{}-]" ;;
        esac ;;
    *) fail "MTW_TILE_URL '$tile_url' is not an http(s) URL" ;;
esac
case "$tile_attribution" in
    *[\\\"\<\>]*) fail "MTW_TILE_ATTRIBUTION must not hold quotes, backslashes or angle brackets" ;;
esac
case "$proxy" in
    *[!0-9a-fA-F.:/]*) fail "MTW_TRUSTED_PROXY_CIDR '$proxy' is not a CIDR" ;;
esac

# set_directive FILE NAME VALUE [quoted]: the line `NAME ...;` becomes
# `NAME VALUE;` (VALUE in double quotes when asked); an empty VALUE keeps
# the file's line; a VALUE with no line to take it fails the start
set_directive() {
    [ -n "$3" ] || return 0
    v=$3
    [ "${4:-}" = quoted ] && v="\"$3\""
    sed -i "s|^\([[:space:]]*\)$2[[:space:]][^;]*;|\1$2 $v;|" "$1"
    grep -qF "$2 $v;" "$1" || fail "$conf_in has no $2 line to set"
}

# render OUT: the configuration for this container
render() {
    sp='[[:space:]]'
    sed -e "s|^\(${sp}*\)load_module${sp}[^;]*ngx_http_mtw_module\.so;|\1load_module $root/usr/lib/nginx/modules/ngx_http_mtw_module.so;|" \
        -e "s|^\(${sp}*\)pid${sp}[^;]*;|\1pid $run/nginx.pid;|" \
        -e "s|alias /run/mtw/config.json;|alias $run/config.json;|" \
        -e "s|^\(${sp}*\)mtw_redis${sp}[^;]*;|\1mtw_redis $redis;|" \
        -e "s|^\(${sp}*\)listen${sp}*[0-9][0-9]*|\1listen $port|" \
        -e "s|\([[:space:]\"]\)/usr/share/mtw/|\1$root/usr/share/mtw/|g" \
        -e "s|^\(http${sp}*{\)|\1\n    client_body_temp_path $run/body;\n    proxy_temp_path $run/proxy;\n    fastcgi_temp_path $run/fastcgi;\n    uwsgi_temp_path $run/uwsgi;\n    scgi_temp_path $run/scgi;|" \
        "$conf_in" >"$1.tmp"
    set_directive "$1.tmp" mtw_redis_password "$password" quoted
    set_directive "$1.tmp" mtw_redis_tls "$tls"
    set_directive "$1.tmp" mtw_redis_tls_name "$tls_name" quoted
    set_directive "$1.tmp" mtw_redis_tls_trusted_certificate "$ca_file" quoted
    set_directive "$1.tmp" mtw_redis_user "$redis_user" quoted
    if [ -n "$city" ]; then
        sed -i "s|^\(${sp}*\)mtw_city${sp}[^;]*;|\1mtw_city $city;|" "$1.tmp"
    fi
    if [ -n "$proxy" ]; then
        sed -i "s|^\(${sp}*\)set_real_ip_from${sp}[^;]*;|\1set_real_ip_from $proxy;|" "$1.tmp"
    fi
    for want in "load_module $root/usr/lib/nginx/modules/ngx_http_mtw_module.so;" \
                "pid $run/nginx.pid;" "mtw_redis $redis;" "listen $port" \
                "client_body_temp_path $run/body;"; do
        grep -qF "$want" "$1.tmp" || fail "$conf_in: could not set '$want'"
    done
    mv "$1.tmp" "$1"
}

mkdir -p "$run"
conf=$run/nginx.conf
# the dashboard's optional settings (/config.json): map tiles, when given
if [ -n "$tile_url" ]; then
    printf '{"tile_url":"%s","tile_attribution":"%s"}\n' "$tile_url" "$tile_attribution" >"$run/config.json"
else
    printf '{}\n' >"$run/config.json"
fi
chmod 644 "$run/config.json"
case "${1:-}" in
    --render)
        [ $# -eq 2 ] || fail "usage: mtw-nginx-start --render FILE"
        render "$2" ;;
    --check)
        render "$conf"
        exec nginx -e stderr -p "$run/" -c "$conf" -t ;;
    '')
        render "$conf"
        exec nginx -e stderr -p "$run/" -c "$conf" -g 'daemon off;' ;;
    *) fail "unknown argument '$1'" ;;
esac
