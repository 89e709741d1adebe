#!/bin/sh
# check-deploy.sh - the deploy and rollback logic of the workflows
# (.github/scripts/ecs-deploy.sh) run against a stand-in AWS CLI
# (tools/fake-aws/aws; AWS itself cannot run here) with curl, docker and
# make stubbed: the order of steps (task definitions pinned to the digest of
# the tag, migration by the owner's admin task before any service change,
# both services, stability, smoke tests), the promotion of a build's very
# digest to a release tag, the refusal of `latest`, and the automatic
# rollback when the migration, stability, the circuit breaker or a smoke
# test fails.
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
D1=sha256:1111111111111111111111111111111111111111111111111111111111111111
D2=sha256:2222222222222222222222222222222222222222222222222222222222222222
D3=sha256:3333333333333333333333333333333333333333333333333333333333333333
# the images ECR holds at the start of each run: a build of main (abc123),
# its release 2.0.0 (the same digests) and an older release 1.5.0
printf 'mtw/nginx abc123 %s\nmtw/worker abc123 %s\nmtw/nginx 2.0.0 %s\nmtw/worker 2.0.0 %s\nmtw/nginx 1.5.0 %s\nmtw/worker 1.5.0 %s\n' \
    "$D1" "$D2" "$D1" "$D2" "$D3" "$D3" >"$TMP/ecr-seed"
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
    cp "$TMP/ecr-seed" "$S/ecr"
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
fails_to() { # fails_to DESCRIPTION NAME [VAR=value...] -- ARGS: the run must fail
    d=$1; shift
    if run "$@"; then bad "$d"; else ok "$d"; fi
}

# 1. a deploy that works
if run deploy-ok -- deploy 2.0.0; then ok "deploy 2.0.0 succeeds"; else bad "deploy 2.0.0 succeeds"; fi
expect "registers nginx pinned to the digest of 2.0.0" grep -q "registered mtw-prod-nginx 123.dkr.ecr.r.amazonaws.com/mtw/nginx@$D1" "$S/log"
expect "registers worker pinned to the digest of 2.0.0" grep -q "registered mtw-prod-worker 123.dkr.ecr.r.amazonaws.com/mtw/worker@$D2" "$S/log"
expect "registers the admin task with the worker's digest" grep -q "registered mtw-prod-worker-admin 123.dkr.ecr.r.amazonaws.com/mtw/worker@$D2" "$S/log"
expect "new revisions keep the task definition's tags" grep -q 'registered mtw-prod-nginx .* tags=\[{"key":"Project","value":"mind-the-wait"}\]' "$S/log"
expect "migrates with the new admin revision (the owner's login)" grep -q 'ecs run-task .*task-definition/mtw-prod-worker-admin:9 .*"command":\["migrate"\]' "$S/log"
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
fails_to "a failed migration fails the deploy" migrate-fails FAKE_MIGRATE_EXIT=3 -- deploy 2.0.0
expect "a failed migration changes no service" test "$(count 'update-service')" -eq 0
expect "a failed migration says so" grep -q 'migration failed (exit code 3)' "$S/out"

# 3. a smoke test fails: both services go back
fails_to "a failed smoke test fails the deploy" smoke-fails FAKE_CURL_RC=22 -- deploy 2.0.0
expect "a failed smoke test rolls both services back" \
    test "$(state nginx):$(state worker)" = "$(cat "$S/nginx.initial"):$(cat "$S/worker.initial")"
expect "the rollback updates both services again" test "$(count 'update-service')" -eq 4

# 4. the services never become stable
fails_to "unstable services fail the deploy" unstable FAKE_STABLE_RC=255 -- deploy 2.0.0
expect "unstable services are rolled back" test "$(state nginx)" = "$(cat "$S/nginx.initial")"

# 5. the ECS circuit breaker put the old revision back ("stable", but old)
fails_to "a circuit-breaker rollback fails the deploy" breaker FAKE_BREAKER=1 -- deploy 2.0.0
expect "a circuit-breaker rollback is noticed" grep -q 'runs .*, not arn' "$S/out"

# 6. rollback to an earlier version: no migration
if run rollback -- rollback 1.5.0; then ok "rollback to 1.5.0 succeeds"; else bad "rollback to 1.5.0 succeeds"; fi
expect "rollback runs no migration" test "$(count 'run-task')" -eq 0
expect "rollback pins the old release's digest" grep -q "registered mtw-prod-worker .*/mtw/worker@$D3" "$S/log"
expect "rollback updates both services" test "$(count 'update-service')" -eq 2

# 7. latest is refused before anything happens; so is a tag ECR lacks
fails_to "deploy latest is refused" latest -- deploy latest
expect "deploy latest calls nothing" test ! -s "$S/log"
fails_to "deploy of a tag ECR lacks is refused" missing -- deploy 9.9.9
expect "a missing tag touches no task definition" \
    test "$(count 'register-task-definition'):$(count 'update-service')" = "0:0"

# 8. push: both images of a commit, tagged with its SHA; tags in ECR are kept
if run push -- push def456; then ok "push def456 succeeds"; else bad "push def456 succeeds"; fi
expect "push builds both images of the commit" \
    sh -c "grep -q 'make image-nginx IMAGE_REGISTRY=123.dkr.ecr.r.amazonaws.com/mtw REVISION=def456' '$S/log' && grep -q 'make image-worker' '$S/log'"
expect "push pushes the SHA tag of both images" \
    test "$(count 'docker push 123.dkr.ecr.r.amazonaws.com/mtw/nginx:def456'):$(count 'docker push')" = "1:2"
expect "push never pushes latest" test "$(count 'latest')" -eq 0
if run push-existing -- push abc123; then ok "push of a built commit succeeds"; else bad "push of a built commit succeeds"; fi
expect "push builds nothing ECR has (tags are immutable)" \
    test "$(count 'make image'):$(count 'docker push')" = "0:0"

# 9. promote: the release tag on the build's very digest
if run promote -- promote abc123 2.1.0; then ok "promote abc123 2.1.0 succeeds"; else bad "promote abc123 2.1.0 succeeds"; fi
expect "promote tags the build's manifest (same digest, both images)" \
    sh -c "grep -qx 'mtw/nginx 2.1.0 $D1' '$S/ecr' && grep -qx 'mtw/worker 2.1.0 $D2' '$S/ecr'"
expect "promote builds and pushes nothing" test "$(count 'make image'):$(count 'docker push')" = "0:0"
if run promote-again -- promote abc123 2.0.0; then ok "promote to a tag already on that digest succeeds"; else bad "promote to a tag already on that digest succeeds"; fi
expect "promote again writes nothing" test "$(count 'put-image')" -eq 0
fails_to "promote onto another image's tag is refused" promote-clash -- promote abc123 1.5.0
fails_to "promote of a commit never built is refused" promote-unbuilt -- promote fff999 2.2.0
expect "promote of an unbuilt commit says why" grep -q 'never built by a merge to main' "$S/out"

[ "$fails" -eq 0 ] || { echo "check-deploy: $fails failed"; exit 1; }
echo "check-deploy: all passed"
