#!/bin/sh
# image.sh - the build steps of the production images (Dockerfile), runnable
# without Docker so that `make test` exercises them on CI.
#
#   sh scripts/image.sh packages build|nginx|worker   Debian packages of a stage
#   sh scripts/image.sh install  build|nginx|worker   apt-get install them; for
#                                                     nginx/worker also create
#                                                     the unprivileged user
#   sh scripts/image.sh root     nginx|worker DIR     stage the files the image
#                                                     adds to Debian into DIR
#
# `root` wants `make worker module rds-ca` done first (`make dist` does
# all three).
# VERSION and REVISION in the environment are written into the tree.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
MTW_UID=10001

# Build stage: the compilers and -dev packages of `make worker module`.
PACKAGES_build="
build-essential pkg-config make
nginx-dev libpcre2-dev libssl-dev zlib1g-dev
libhiredis-dev libpq-dev libprotobuf-c-dev protobuf-c-compiler
libjansson-dev libcurl4-openssl-dev libzip-dev
"
# Runtime: Debian's nginx (the module is built against its nginx-dev tree)
# and the module's shared libraries; curl for the HEALTHCHECK.
PACKAGES_nginx="
nginx libhiredis0.14 libjansson4 curl ca-certificates
"
# Runtime: the worker's shared libraries, CA certificates for HTTPS feeds
# and TLS to RDS and Redis (libssl3), time zones for MTW_TZ, procps for
# the HEALTHCHECK.
PACKAGES_worker="
libhiredis0.14 libpq5 libprotobuf-c1 libjansson4 libcurl4 libzip4 libssl3
ca-certificates tzdata procps
"

die() { echo "image.sh: $*" >&2; exit 1; }

# shellcheck disable=SC2086  # the lists are printed one word apart
packages() {
    case "$1" in
        build) echo $PACKAGES_build ;;
        nginx) echo $PACKAGES_nginx ;;
        worker) echo $PACKAGES_worker ;;
        *) die "unknown stage '$1' (build, nginx or worker)" ;;
    esac
}

install_stage() {
    list=$(packages "$1")
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # word splitting of the package list is wanted
    apt-get install -y -qq --no-install-recommends $list
    rm -rf /var/lib/apt/lists/*
    [ "$1" = build ] && return 0
    # the unprivileged user both runtime images run as
    groupadd --system --gid "$MTW_UID" mtw
    useradd --system --uid "$MTW_UID" --gid mtw --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin mtw
    install -d -o mtw -g mtw -m 0755 /run/mtw
}

# copy_tree SRC DST: copies a folder's contents, keeping modes
copy_tree() {
    mkdir -p "$2"
    (cd "$1" && tar cf - .) | (cd "$2" && tar xf -)
}

stage_common() {
    mkdir -p "$1/usr/share/mtw"
    printf '%s\n' "${VERSION:-0.0.0}" >"$1/usr/share/mtw/VERSION"
    printf '%s\n' "${REVISION:-unknown}" >"$1/usr/share/mtw/REVISION"
}

stage_nginx() {
    so=$BUILD/nginx/objs/ngx_http_mtw_module.so
    [ -f "$so" ] || die "$so missing: run 'make module' first"
    install -D -m 0644 "$so" "$1/usr/lib/nginx/modules/ngx_http_mtw_module.so"
    copy_tree "$ROOT/html" "$1/usr/share/mtw/html"
    # conf/nginx.conf is the production configuration mtw-nginx-start renders
    copy_tree "$ROOT/conf" "$1/etc/mtw"
    # the OpenAPI document the module serves at /api/doc.json (mtw_openapi)
    if [ -f "$ROOT/docs/openapi.json" ]; then
        install -D -m 0644 "$ROOT/docs/openapi.json" "$1/usr/share/mtw/openapi.json"
    fi
    install -D -m 0755 "$ROOT/scripts/image/nginx-start.sh" \
        "$1/usr/local/bin/mtw-nginx-start"
    install -D -m 0755 "$ROOT/scripts/image/nginx-healthcheck.sh" \
        "$1/usr/local/bin/mtw-healthcheck"
    stage_common "$1"
}

stage_worker() {
    bin=$BUILD/mtw-worker
    [ -x "$bin" ] || die "$bin missing: run 'make worker' first"
    install -D -m 0755 "$bin" "$1/usr/local/bin/mtw-worker"
    # the SQL migrations are compiled into the binary (worker/sql/)
    install -D -m 0644 "$ROOT/conf/worker.env.example" \
        "$1/etc/mtw/worker.env.example"
    install -D -m 0755 "$ROOT/scripts/image/worker-healthcheck.sh" \
        "$1/usr/local/bin/mtw-healthcheck"
    # Amazon RDS's root CAs: MTW_DATABASE_URL's sslrootcert for
    # sslmode=verify-full (make rds-ca)
    ca=$ROOT/vendor/rds-ca-bundle.pem
    [ -s "$ca" ] || die "$ca missing: run 'make rds-ca' first"
    install -D -m 0644 "$ca" "$1/usr/share/mtw/rds-ca-bundle.pem"
    install -D -m 0644 "$ROOT/vendor/rds-ca-bundle-LICENSE" \
        "$1/usr/share/doc/mtw/rds-ca-bundle-LICENSE"
    stage_common "$1"
}

stage_root() {
    [ $# -eq 2 ] || die "usage: image.sh root nginx|worker DIR"
    rm -rf "$2"
    mkdir -p "$2"
    case "$1" in
        nginx) stage_nginx "$2" ;;
        worker) stage_worker "$2" ;;
        *) die "unknown image '$1' (nginx or worker)" ;;
    esac
    echo "image.sh: staged the $1 image's files in $2"
}

[ $# -ge 2 ] || die "usage: image.sh packages|install STAGE | root IMAGE DIR"
cmd=$1
shift
case "$cmd" in
    packages) packages "$1" ;;
    install) install_stage "$1" ;;
    root) stage_root "$@" ;;
    *) die "unknown command '$cmd'" ;;
esac
