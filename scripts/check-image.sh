#!/bin/sh
# check-image.sh - the production images' build steps, run for real without
# Docker: `make dist` stages both image trees exactly as the Dockerfile's
# build stage does, then this script checks what each image would hold and
# runs it: nginx from the staged tree as an unprivileged user on loopback
# (healthz, dashboard, HEALTHCHECK up and down), the worker binary, the
# worker HEALTHCHECK in a private PID namespace, the Debian package lists
# against the binaries' shared libraries, and the Dockerfile's shape (thin
# caller of these steps, non-root, HEALTHCHECK, OCI version labels).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TMP=$(mktemp -d)
NGINX_PID=""
cleanup() {
    if [ -n "$NGINX_PID" ]; then
        kill "$(cat "$RUN/nginx.pid" 2>/dev/null)" 2>/dev/null || true
        kill "$NGINX_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fails=0
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    : >"$TMP/out"
    chmod 0666 "$TMP/out"   # nginx, unprivileged, reopens /dev/stdout
    if "$@" >"$TMP/out" 2>&1; then pass "$d"; else fail "$d"; sed 's/^/#   /' "$TMP/out"; fi
}

# --- the build stage: the same make target the Dockerfile runs ----------------
DIST=$TMP/dist
make -s dist DIST="$DIST" VERSION=9.8.7 REVISION=0123abc >"$TMP/dist.log" 2>&1 \
    || { cat "$TMP/dist.log"; echo "not ok - make dist"; exit 1; }
pass "make dist stages both image trees"

# --- what each image adds to Debian ------------------------------------------
for f in \
    nginx:usr/lib/nginx/modules/ngx_http_mtw_module.so \
    nginx:usr/share/mtw/html/index.html \
    nginx:usr/local/bin/mtw-nginx-start:x \
    nginx:usr/local/bin/mtw-healthcheck:x \
    nginx:usr/share/mtw/VERSION \
    worker:usr/local/bin/mtw-worker:x \
    worker:usr/local/bin/mtw-healthcheck:x \
    worker:usr/share/mtw/VERSION \
    worker:etc/mtw/worker.env.example \
    worker:usr/share/mtw/rds-ca-bundle.pem
do
    img=${f%%:*}; rest=${f#*:}; path=${rest%%:*}
    if [ "$rest" != "$path" ]; then
        check "$img image has executable /$path" test -x "$DIST/$img/$path"
    else
        check "$img image has /$path" test -f "$DIST/$img/$path"
    fi
done
check "version is written into the images" \
    grep -qx 9.8.7 "$DIST/nginx/usr/share/mtw/VERSION" "$DIST/worker/usr/share/mtw/VERSION"
check "html/ is copied whole" diff -r html "$DIST/nginx/usr/share/mtw/html"
check "conf/ is in /etc/mtw" diff -r conf "$DIST/nginx/etc/mtw"
# sslmode=verify-full: the bundle holds the root of the CA Terraform gives
# RDS (rds-ca-rsa2048-g1) in the region, at the path the URL names
bundle=$DIST/worker/usr/share/mtw/rds-ca-bundle.pem
region=$(sed -n 's/^  default *= "\([a-z]*-[a-z]*-[0-9]\)"$/\1/p' terraform/environments/prod/variables.tf | head -n 1)
check "the worker image's RDS CA bundle holds Amazon RDS $region Root CA RSA2048 G1" \
    sh -c "openssl crl2pkcs7 -nocrl -certfile '$bundle' | openssl pkcs7 -print_certs -noout \
           | grep -q 'subject=.*CN = Amazon RDS $region Root CA RSA2048 G1'"
check "Terraform's MTW_DATABASE_URL verifies against that bundle" \
    grep -q 'rds_ca_file *= "/usr/share/mtw/rds-ca-bundle.pem"' terraform/modules/stack/main.tf
if [ -f docs/openapi.json ]; then
    check "the OpenAPI document is in the nginx image" \
        cmp docs/openapi.json "$DIST/nginx/usr/share/mtw/openapi.json"
fi

# --- the Docker build context: the build stage's `make dist` works from
# what .dockerignore lets into the context (no .git, no build/, ...)
check ".dockerignore holds only patterns this copy reproduces (names, *.ext)" \
    sh -c "! grep -vE '^(#.*|[A-Za-z0-9._-]+|\*\.[A-Za-z0-9]+|)\$' .dockerignore"
CTX=$TMP/context
mkdir -p "$CTX"
for e in .[!.]* *; do
    [ -e "$e" ] || continue
    grep -qxF "$e" .dockerignore || cp -a "$e" "$CTX/"
done
grep -E '^\*\.' .dockerignore | sed 's/^\*//' | while read -r ext; do
    find "$CTX" -name "*$ext" -type f -delete
done
(cd "$DIST" && find . | sort) >"$TMP/wt.files"
check "make dist works in the Docker build context" \
    sh -c "cd '$CTX' && make -s dist DIST='$CTX/dist' VERSION=9.8.7 REVISION=0123abc >'$TMP/ctx.log' 2>&1 \
           || { cat '$TMP/ctx.log'; exit 1; }"
(cd "$CTX/dist" 2>/dev/null && find . | sort) >"$TMP/ctx.files" || true
check "the context stages the same files as the work tree" \
    sh -c "diff '$TMP/ctx.files' '$TMP/wt.files'"
check "the worker built in the context runs" "$CTX/dist/worker/usr/local/bin/mtw-worker" --help

# --- Debian package lists cover the binaries' shared libraries ---------------
# needs IMAGE FILE: every DT_NEEDED library's Debian package must be in the
# image's runtime list (libc6 is in every Debian base image)
needs() {
    list=" $(sh scripts/image.sh packages "$1") "
    missing=""
    for lib in $(objdump -p "$2" | awk '/NEEDED/ { print $2 }'); do
        path=$(ldd "$2" | awk -v l="$lib" '$1 == l { print $3 }')
        [ -n "$path" ] || { missing="$missing $lib(unresolved)"; continue; }
        pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 \
              | cut -d: -f1) || true
        [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
        case "$pkg" in
            libc6) ;;
            '') missing="$missing $lib(no-package)" ;;
            *) case "$list" in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac ;;
        esac
    done
    [ -z "$missing" ] || { echo "missing from the $1 image:$missing"; return 1; }
}
check "worker image packages cover mtw-worker's libraries" \
    needs worker "$DIST/worker/usr/local/bin/mtw-worker"
check "nginx image packages cover the module's libraries" \
    needs nginx "$DIST/nginx/usr/lib/nginx/modules/ngx_http_mtw_module.so"
# every listed package is a real bookworm package (deps.sh installed a
# superset of them on this machine)
installed() {
    bad=""
    for p in $(sh scripts/image.sh packages "$1"); do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' \
            || bad="$bad $p"
    done
    [ -z "$bad" ] || { echo "not installed here:$bad"; return 1; }
}
for s in build nginx worker; do
    check "$s stage packages exist in Debian (installed here)" installed "$s"
done
check "nginx is Debian's 1.22, the version nginx-dev built the module for" \
    sh -c 'nginx -v 2>&1 | grep -q "nginx/1.22"'

# --- the worker image runs -----------------------------------------------------
check "mtw-worker --help runs from the image tree" \
    "$DIST/worker/usr/local/bin/mtw-worker" --help
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1; then
    # a private PID namespace: only the processes started here are visible
    hc=$DIST/worker/usr/local/bin/mtw-healthcheck
    cp "$(command -v sleep)" "$TMP/mtw-worker"
    check "worker HEALTHCHECK fails with no mtw-worker process" \
        sh -c "! unshare --pid --fork --mount-proc sh '$hc'"
    check "worker HEALTHCHECK passes while mtw-worker runs" \
        unshare --pid --fork --mount-proc sh -c \
        "'$TMP/mtw-worker' 30 & sleep 0.2; sh '$hc'; rc=\$?; kill \$!; exit \$rc"
else
    echo "# worker HEALTHCHECK run skipped: needs root and unshare"
fi

# --- the nginx image runs, unprivileged, from the staged tree -------------------
RUN=$TMP/run
mkdir -p "$RUN"
chmod 0777 "$RUN" "$TMP"
# nginx binds 0.0.0.0, which fails on a port that any connection is using as
# its local port: stay below the kernel's ephemeral range, and skip ports
# that any socket holds
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PORT=$((20000 + $$ % (EPHEMERAL_LOW - 20000)))
while ss -tan | awk '{ print $4 }' | grep -q ":$PORT\$"; do PORT=$((PORT + 1)); done
as_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
export MTW_ROOT="$DIST/nginx" MTW_RUN_DIR="$RUN" MTW_HTTP_PORT="$PORT" \
       MTW_REDIS_ADDR=127.0.0.1:1 MTW_CITY=testville MTW_TRUSTED_PROXY_CIDR=10.9.0.0/16
start=$DIST/nginx/usr/local/bin/mtw-nginx-start
if [ ! -f conf/nginx.conf ]; then
    # the production configuration comes with the module (its directives);
    # until it is in this tree there is nothing to run
    echo "# NOTE: conf/nginx.conf is not in this tree yet: nginx image not run"
else
check "mtw-nginx-start refuses a missing MTW_REDIS_ADDR" \
    sh -c "! MTW_REDIS_ADDR= sh '$start' --check"
check "mtw-nginx-start refuses a bad MTW_HTTP_PORT" \
    sh -c "! MTW_HTTP_PORT='80;x' sh '$start' --check"
check "mtw-nginx-start refuses a password that could break the configuration" \
    sh -c "! MTW_REDIS_PASSWORD='a\";b' sh '$start' --check"
check "mtw-nginx-start fails on a configuration it cannot adapt" \
    sh -c "grep -v mtw_redis conf/nginx.conf >'$TMP/no-redis.conf' && \
           ! MTW_NGINX_CONF='$TMP/no-redis.conf' sh '$start' --render '$TMP/x.conf'"
# the TLS and AUTH settings, rendered into a configuration that has their
# lines (the module's conf/nginx.conf names them), refused where it has not
printf 'load_module modules/ngx_http_mtw_module.so;\npid /run/nginx.pid;\nhttp {\n  server {\n    listen 8080;\n  }\n  mtw_redis r:6379;\n  mtw_redis_tls off;\n  mtw_redis_tls_name "";\n  mtw_redis_tls_trusted_certificate "";\n  mtw_redis_user "";\n  mtw_redis_password "";\n}\n' \
    >"$TMP/tls.conf"
check "mtw-nginx-start renders Redis TLS and AUTH from the environment" \
    sh -c "MTW_NGINX_CONF='$TMP/tls.conf' MTW_REDIS_TLS=on MTW_REDIS_TLS_NAME=master.x.cache.amazonaws.com \
           MTW_REDIS_CA_FILE=/etc/ssl/certs/ca-certificates.crt MTW_REDIS_PASSWORD=Token0123456789abcdef \
           sh '$start' --render '$TMP/tls.out' && grep -q '  mtw_redis_tls on;' '$TMP/tls.out' \
           && grep -q 'mtw_redis_tls_name \"master.x.cache.amazonaws.com\";' '$TMP/tls.out' \
           && grep -q 'mtw_redis_tls_trusted_certificate \"/etc/ssl/certs/ca-certificates.crt\";' '$TMP/tls.out' \
           && grep -q 'mtw_redis_password \"Token0123456789abcdef\";' '$TMP/tls.out' \
           && grep -q 'mtw_redis_user \"\";' '$TMP/tls.out'"
check "mtw-nginx-start refuses MTW_REDIS_TLS=on with no mtw_redis_tls line (never clear text)" \
    sh -c "grep -v mtw_redis_tls '$TMP/tls.conf' >'$TMP/no-tls.conf' && \
           ! MTW_NGINX_CONF='$TMP/no-tls.conf' MTW_REDIS_TLS=on sh '$start' --render '$TMP/x.conf'"
check "mtw-nginx-start refuses an MTW_REDIS_TLS other than on or off" \
    sh -c "! MTW_NGINX_CONF='$TMP/tls.conf' MTW_REDIS_TLS=yes sh '$start' --render '$TMP/x.conf'"
check "mtw-nginx-start writes the dashboard's map tiles into /config.json, and {} without" \
    sh -c "MTW_RUN_DIR='$TMP/tiles' MTW_NGINX_CONF='$ROOT/conf/nginx.conf' MTW_REDIS_ADDR=r:6379 \
           MTW_TILE_URL='https://tile.example/{z}/{x}/{y}.png' MTW_TILE_ATTRIBUTION='Map data (c) OSM' \
           sh '$start' --render '$TMP/tiles.conf' \
           && grep -qF '{\"tile_url\":\"https://tile.example/{z}/{x}/{y}.png\",\"tile_attribution\":\"Map data (c) OSM\"}' '$TMP/tiles/config.json' \
           && grep -qF 'alias $TMP/tiles/config.json;' '$TMP/tiles.conf' \
           && MTW_RUN_DIR='$TMP/notiles' MTW_NGINX_CONF='$ROOT/conf/nginx.conf' MTW_REDIS_ADDR=r:6379 \
              sh '$start' --render '$TMP/notiles.conf' && grep -qx '{}' '$TMP/notiles/config.json'"
check "mtw-nginx-start refuses a tile URL that is not http(s)" \
    sh -c "! MTW_RUN_DIR='$TMP/bad' MTW_NGINX_CONF='$ROOT/conf/nginx.conf' MTW_REDIS_ADDR=r:6379 \
           MTW_TILE_URL='javascript:alert(1)' sh '$start' --render '$TMP/bad.conf'"
sh "$start" --render "$RUN/nginx.conf"
conf=$RUN/nginx.conf
check "the rendered configuration (it holds the Redis password) is its owner's only" \
    sh -c "test \"\$(stat -c %a '$conf')\" = 600"
check "the rendered configuration uses the environment" \
    sh -c "grep -q 'mtw_redis 127.0.0.1:1;' '$conf' && grep -q 'mtw_city testville;' '$conf' \
           && grep -q 'set_real_ip_from 10.9.0.0/16;' '$conf' && grep -q 'pid $RUN/nginx.pid;' '$conf'"
chmod 0644 "$conf"
check "nginx -t accepts the image's configuration, unprivileged" \
    as_user nginx -e stderr -p "$RUN/" -c "$conf" -t
: >"$TMP/nginx.log"
chmod 0666 "$TMP/nginx.log"
as_user nginx -e stderr -p "$RUN/" -c "$conf" -g 'daemon off;' \
    >"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!
i=0
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/healthz" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 50 ] || ! kill -0 "$NGINX_PID" 2>/dev/null; then
        cat "$TMP/nginx.log"; break
    fi
    sleep 0.1
done
check "nginx from the image tree answers /api/healthz" \
    curl -fsS "http://127.0.0.1:$PORT/api/healthz"
check "nginx from the image tree serves the dashboard" \
    sh -c "curl -fsS 'http://127.0.0.1:$PORT/' | grep -qi '<html'"
check "/api/livez is 503 without Redis (the ALB's check)" \
    sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT/api/livez')\" = 503"
if [ -f docs/openapi.json ]; then
    check "nginx from the image tree serves /api/doc.json" \
        curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/doc.json"
fi
unprivileged() {
    [ -s "$RUN/nginx.pid" ] || { echo "no pid file"; return 1; }
    master=$(cat "$RUN/nginx.pid")
    users=$(ps -o user= -p "$master"; ps -o user= --ppid "$master")
    echo "nginx processes run as: $users"
    [ "$(echo "$users" | wc -l)" -ge 2 ] && ! echo "$users" | grep -qx root
}
check "nginx master and workers run unprivileged" unprivileged
check "nginx image HEALTHCHECK passes while nginx runs" \
    sh "$DIST/nginx/usr/local/bin/mtw-healthcheck"
kill "$(cat "$RUN/nginx.pid")"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
check "nginx image HEALTHCHECK fails once nginx is gone" \
    sh -c "! sh '$DIST/nginx/usr/local/bin/mtw-healthcheck'"
fi

# --- the Dockerfile only calls these steps --------------------------------------
# continuation lines joined, so each instruction is one line
df=$TMP/Dockerfile
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Dockerfile >"$df"
check "Dockerfile bases every stage on Debian bookworm" \
    sh -c "grep -E '^ARG BASE_IMAGE=' $df | grep -q 'debian:bookworm' && \
           ! grep -E '^FROM ' $df | grep -vq 'BASE_IMAGE'"
for st in build nginx worker; do
    check "Dockerfile has stage $st" grep -Eq "^FROM .* AS $st\$" "$df"
done
check "Dockerfile RUN steps are the tested scripts/make targets only" \
    sh -c "! grep -E '^RUN ' $df | grep -vE '^RUN (sh (scripts/|/tmp/)image\.sh (install) (build|nginx|worker)( && rm /tmp/image\.sh)?|make dist .*)\$'"
for st in nginx worker; do
    check "$st stage runs as a non-root user" \
        sh -c "stage_user=\$(awk '/^FROM /{ s = \$NF } s == \"$st\" && /^USER /{ u = \$2 } END { print u }' $df); \
               [ -n \"\$stage_user\" ] && [ \"\${stage_user%%:*}\" != root ] && [ \"\${stage_user%%:*}\" != 0 ]"
    check "$st stage has a HEALTHCHECK running mtw-healthcheck" \
        sh -c "awk '/^FROM /{ s = \$NF } s == \"$st\"' $df | grep -q '^HEALTHCHECK .*mtw-healthcheck'"
    check "$st stage labels its version (OCI)" \
        sh -c "awk '/^FROM /{ s = \$NF } s == \"$st\"' $df | grep -q 'org.opencontainers.image.version=\"\${VERSION}\"'"
    check "$st stage copies the tree make dist staged" \
        sh -c "awk '/^FROM /{ s = \$NF } s == \"$st\"' $df | grep -q '^COPY --from=build /dist/$st/ /'"
done
check "the build stage stages into /dist with make dist" \
    grep -q '^RUN make dist DIST=/dist' "$df"
check ".dockerignore keeps build output, state and node_modules out" \
    sh -c "grep -qx 'build' .dockerignore && grep -qx '.state' .dockerignore && grep -qx 'node_modules' .dockerignore"

if [ "$fails" -ne 0 ]; then
    echo "check-image: $fails failed"
    exit 1
fi
echo "check-image: all passed"
