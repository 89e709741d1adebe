#!/bin/sh
# nginx-healthcheck.sh - HEALTHCHECK of the nginx image (mtw-healthcheck):
# liveness only, /api/healthz answers without Redis.  Readiness
# (/api/readyz: Redis and the worker's heartbeat) is the load balancer's
# check, so a Redis outage takes tasks out of rotation without killing them.
set -eu
exec curl -fsS -o /dev/null --max-time 2 \
    "http://127.0.0.1:${MTW_HTTP_PORT:-8080}/api/healthz"
