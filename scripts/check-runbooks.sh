#!/bin/sh
# check-runbooks.sh - the production documentation stays true to the code
# (tools/docs-policy.mjs): README's cost table adds up near 92 USD/month,
# every runbook exists with its commands, every alarm a runbook names is
# one Terraform creates; and each of those checks fails on bad input.
set -eu
cd "$(dirname "$0")/.."
node tools/docs-policy.mjs
node tools/docs-policy.mjs --self-test
