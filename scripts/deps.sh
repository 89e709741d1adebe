#!/bin/sh
# deps.sh - install the Debian packages the project needs, only those missing.
#
# Cheap when everything is present (one dpkg-query); otherwise one
# apt-get update and one apt-get install.  Run as root or with sudo.
set -eu

PACKAGES="
build-essential pkg-config
nginx nginx-dev libpcre2-dev libssl-dev zlib1g-dev openssl
redis-server postgresql postgresql-contrib
libhiredis-dev libpq-dev libprotobuf-c-dev protobuf-c-compiler
libjansson-dev libcurl4-openssl-dev libzip-dev zip unzip
libcmocka-dev valgrind clang libclang-rt-14-dev
perl curl wrk shellcheck python3 nodejs npm jq procps
chromium fonts-noto-color-emoji
"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done

# nodejs/npm may come from outside Debian's packages on some machines: a
# working node and npm on PATH is as good as the packages.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm \
              | tr '\n' ' ' || true)
fi

# npm tools of the repository checks (package.json at the root, exact
# versions in package-lock.json): `npm ci` only when node_modules is missing
# or the lock file changed since the last install, so this stays cheap.
npm_tools() {
    root=$(cd "$(dirname "$0")/.." && pwd)
    [ -f "$root/package-lock.json" ] || return 0
    sum=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
    [ "$(cat "$root/node_modules/.lock-sha256" 2>/dev/null)" = "$sum" ] \
        && return 0
    echo "deps: npm ci (repository check tools)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) \
        && echo "$sum" >"$root/node_modules/.lock-sha256"
}

missing=$(echo "$missing" | xargs)
[ -z "$missing" ] && { npm_tools; exit 0; }

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086  # word splitting of the package list is wanted
$SUDO apt-get install -y -qq --no-install-recommends $missing
# Debian starts the distribution's services on install; the project runs
# its own instances on other ports, so leave the system ones alone.

npm_tools
