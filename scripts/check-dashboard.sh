#!/bin/sh
# check-dashboard.sh - the dashboard's JavaScript (html/js/) under node's
# built-in test runner, no packages: the pure logic of html/js/lib.js
# (formatting, the ETag polling client, route search and sorting, the map
# projection, colours) and static checks of every page (t/js/*.test.js).
# The pages served by real nginx with the API are t/50-dashboard.t.
set -eu
cd "$(dirname "$0")/.."
command -v node >/dev/null 2>&1 \
    || { echo "check-dashboard: node missing: run 'make deps'" >&2; exit 1; }
for f in html/js/*.js; do
    node --check "$f"
done
node --test t/js/
