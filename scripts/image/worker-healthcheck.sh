#!/bin/sh
# worker-healthcheck.sh - HEALTHCHECK of the worker image (mtw-healthcheck):
# healthy while an `mtw-worker run` process is alive.  Whether it is doing
# its job is watched from outside: the WorkerHeartbeat metric and its
# CloudWatch alarm (terraform/modules/monitoring), so a standby replica
# waiting for a city's lease is not restarted for the active one's faults.
set -eu
exec pgrep -x mtw-worker >/dev/null
