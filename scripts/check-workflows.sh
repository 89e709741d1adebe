#!/bin/sh
# check-workflows.sh - the GitHub Actions workflows: each validates against
# the workflow schema (@action-validator/cli), then tools/workflow-policy.mjs
# checks pinning, `latest`, permissions, OIDC, concurrency, injection and
# what each workflow must do; the policy must flag deliberately bad sets
# (tools/policy-fixtures/workflows-bad/) and the validator a broken file.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -x node_modules/.bin/action-validator ] \
    || { echo "check-workflows: npm tools missing: run 'make deps'" >&2; exit 1; }

fails=0
for f in .github/workflows/*.yml; do
    if node_modules/.bin/action-validator "$f" >/tmp/action-validator.$$ 2>&1; then
        echo "ok - $f validates"
    else
        echo "not ok - $f validates"; sed 's/^/#   /' /tmp/action-validator.$$
        fails=$((fails + 1))
    fi
done
# the validator itself rejects a workflow with an unknown key
bad=tools/policy-fixtures/workflows-bad/a/.github/workflows/empty.yml
if node_modules/.bin/action-validator "$bad" >/dev/null 2>&1; then
    echo "not ok - action-validator rejects $bad"; fails=$((fails + 1))
else
    echo "ok - action-validator rejects $bad"
fi
rm -f /tmp/action-validator.$$

node tools/workflow-policy.mjs .github/workflows || fails=$((fails + 1))
node tools/workflow-policy.mjs --every-rule-fails \
    tools/policy-fixtures/workflows-bad/a/.github/workflows \
    tools/policy-fixtures/workflows-bad/b/.github/workflows || fails=$((fails + 1))

[ "$fails" -eq 0 ] || { echo "check-workflows: $fails failed"; exit 1; }
echo "check-workflows: all passed"
