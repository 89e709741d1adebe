#!/bin/sh
# check-deploy.sh - the deploy and rollback logic of the workflows
# (.github/scripts/ecs-deploy.sh) run against a stand-in AWS CLI
# (tools/fake-aws/aws; AWS itself cannot run here) with curl, docker and
# make stubbed: the order of steps (task definitions with the new tag,
# migration before any service changes, both services, stability, smoke
# tests), the refusal of `latest`, and the automatic rollback when the
# migration, stability, the circuit breaker or a smoke test fails.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
command -v jq >/dev/null 2>&1 || { echo "check-deploy: jq missing: run 'make deps'" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$TMP/bin"
cp tools/fake-aws/aws "$TMP/bin/aws"
for tool in curl docker make; do
    # shellcheck disable=SC2016  # the stub's own $* and variables
    printf '#!/bin/sh\necho "%s $*" >>"$FAKE_STATE/log"\nexit ${FAKE_%s_RC:-0}\n' \
        "$tool" "$(echo "$tool" | tr '[:lower:]' '[:upper:]')" >"$TMP/bin/$tool"
    chmod +x "$TMP/bin/$tool"
done

fails=0
S=""
# run NAME [VAR=value...] -- ARGS: a fresh state, then ecs-deploy.sh ARGS
run() {
    name=$1; shift
    S=$TMP/$name
    mkdir -p "$S"
    for svc in nginx worker; do
        echo "arn:aws:ecs:r:1:task-definition/mtw-prod-$svc:5" >"$S/$svc.td"
        cp "$S/$svc.td" "$S/$svc.initial"
    done
    echo 6 >"$S/rev"
    : >"$S/log"
    if [ -f "$TMP/ecr-seed" ]; then cp "$TMP/ecr-seed" "$S/ecr"; else : >"$S/ecr"; fi
    envs=""
    while [ "$1" != -- ]; do envs="$envs $1"; shift; done
    shift
    # shellcheck disable=SC2086  # the VAR=value words are wanted apart
    env PATH="$TMP/bin:$PATH" FAKE_STATE="$S" AWS_REGION=r ECS_CLUSTER=mtw-prod \
        APP_URL=https://mtw.example ECR_REGISTRY=123.dkr.ecr.r.amazonaws.com \
        SMOKE_ATTEMPTS=2 SMOKE_DELAY=0 $envs \
        bash .github/scripts/ecs-deploy.sh "$@" >"$S/out" 2>&1
}
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; sed 's/^/#   /' "$S/out" "$S/log"; fails=$((fails + 1)); }
expect() { # expect DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
line() { grep -n -- "$1" "$S/log" | head -n 1 | cut -d: -f1; }
count() { grep -c -- "$1" "$S/log" || true; }
state() { cat "$S/$1.td"; }

# 1. a deploy that works
if run deploy-ok -- deploy 2.0.0; then ok "deploy 2.0.0 succeeds"; else bad "deploy 2.0.0 succeeds"; fi
expect "registers nginx with the version tag" grep -q 'registered mtw-prod-nginx 123.dkr.ecr.r.amazonaws.com/mtw-prod/nginx:2.0.0' "$S/log"
expect "registers worker with the version tag" grep -q 'registered mtw-prod-worker 123.dkr.ecr.r.amazonaws.com/mtw-prod/worker:2.0.0' "$S/log"
expect "new revisions keep the task definition's tags" grep -q 'registered mtw-prod-nginx .* tags=\[{"key":"Project","value":"mind-the-wait"}\]' "$S/log"
expect "migrates with the new worker revision" grep -q 'ecs run-task .*task-definition/mtw-prod-worker:8 .*"command":\["migrate"\]' "$S/log"
expect "migrates before updating any service" \
    test "$(line 'ecs run-task')" -lt "$(line 'ecs update-service')"
expect "waits for the migration to stop" grep -q 'ecs wait tasks-stopped' "$S/log"
expect "updates both services to the new revisions" \
    test "$(state nginx):$(state worker)" = "arn:aws:ecs:r:1:task-definition/mtw-prod-nginx:7:arn:aws:ecs:r:1:task-definition/mtw-prod-worker:8"
expect "waits for stable services after updating" \
    test "$(line 'ecs update-service')" -lt "$(line 'wait services-stable')"
expect "smoke-tests /api/readyz" grep -q 'curl .*https://mtw.example/api/readyz' "$S/log"
expect "smoke-tests /api/score" grep -q 'curl .*https://mtw.example/api/score' "$S/log"

# 2. the migration fails: no service is touched
if run migrate-fails FAKE_MIGRATE_EXIT=3 -- deploy 2.0.0; then bad "a failed migration fails the deploy"; else ok "a failed migration fails the deploy"; fi
expect "a failed migration changes no service" test "$(count 'update-service')" -eq 0
expect "a failed migration says so" grep -q 'migration failed (exit code 3)' "$S/out"

# 3. a smoke test fails: both services go back
if run smoke-fails FAKE_CURL_RC=22 -- deploy 2.0.0; then bad "a failed smoke test fails the deploy"; else ok "a failed smoke test fails the deploy"; fi
expect "a failed smoke test rolls both services back" \
    test "$(state nginx):$(state worker)" = "$(cat "$S/nginx.initial"):$(cat "$S/worker.initial")"
expect "the rollback updates both services again" test "$(count 'update-service')" -eq 4

# 4. the services never become stable
if run unstable FAKE_STABLE_RC=255 -- deploy 2.0.0; then bad "unstable services fail the deploy"; else ok "unstable services fail the deploy"; fi
expect "unstable services are rolled back" test "$(state nginx)" = "$(cat "$S/nginx.initial")"

# 5. the ECS circuit breaker put the old revision back ("stable", but old)
if run breaker FAKE_BREAKER=1 -- deploy 2.0.0; then bad "a circuit-breaker rollback fails the deploy"; else ok "a circuit-breaker rollback fails the deploy"; fi
expect "a circuit-breaker rollback is noticed" grep -q 'runs .*, not arn' "$S/out"

# 6. rollback to an earlier version: no migration
if run rollback -- rollback 1.5.0; then ok "rollback to 1.5.0 succeeds"; else bad "rollback to 1.5.0 succeeds"; fi
expect "rollback runs no migration" test "$(count 'run-task')" -eq 0
expect "rollback registers the old tag" grep -q 'registered mtw-prod-worker .*/mtw-prod/worker:1.5.0' "$S/log"
expect "rollback updates both services" test "$(count 'update-service')" -eq 2

# 7. latest is refused before anything happens
if run latest -- deploy latest; then bad "deploy latest is refused"; else ok "deploy latest is refused"; fi
expect "deploy latest calls nothing" test ! -s "$S/log"

# 8. push: both images, version and SHA tags; tags already in ECR are skipped
if run push -- push 2.0.0 abc123; then ok "push 2.0.0 abc123 succeeds"; else bad "push 2.0.0 abc123 succeeds"; fi
expect "push builds both images with version and revision" \
    sh -c "grep -q 'make image-nginx IMAGE_REGISTRY=123.dkr.ecr.r.amazonaws.com/mtw-prod VERSION=2.0.0 REVISION=abc123' '$S/log' && grep -q 'make image-worker' '$S/log'"
expect "push pushes the version and SHA tags of both images" test "$(count 'docker push')" -eq 4
expect "push never pushes latest" test "$(count 'latest')" -eq 0
printf 'mtw-prod/nginx 2.0.0\nmtw-prod/nginx abc123\n' >"$TMP/ecr-seed"
if run push-existing -- push 2.0.0 abc123; then ok "push with tags in ECR succeeds"; else bad "push with tags in ECR succeeds"; fi
expect "push skips an image whose tags exist (immutable)" test "$(count 'make image-nginx')" -eq 0
expect "push still builds and pushes the other image" \
    test "$(count 'make image-worker'):$(count 'docker push')" = "1:2"
rm -f "$TMP/ecr-seed"

[ "$fails" -eq 0 ] || { echo "check-deploy: $fails failed"; exit 1; }
echo "check-deploy: all passed"
