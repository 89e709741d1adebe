#!/usr/bin/env bash
# ecs-deploy.sh - build, push, deploy and roll back the two ECS services.
# Used by the deploy and rollback workflows and by hand (docs/runbooks/).
#
#   ecs-deploy.sh push VERSION SHA     build both images (make image-*) and
#                                      push them tagged VERSION and SHA,
#                                      skipping tags already in ECR
#   ecs-deploy.sh deploy VERSION       migrate, roll both services to VERSION,
#                                      wait, smoke-test; roll back on failure
#   ecs-deploy.sh rollback VERSION     roll both services to an earlier VERSION
#                                      (no migration), wait, smoke-test
#
# Environment: AWS_REGION, ECS_CLUSTER, ECR_REGISTRY (push), APP_URL
# (https://domain, smoke tests), NGINX_SERVICE (nginx), WORKER_SERVICE
# (worker), REPO_PREFIX (mtw-prod: repositories REPO_PREFIX/nginx and
# REPO_PREFIX/worker), SMOKE_CITY (optional ?city= of /api/score).
#
# A deploy registers new revisions of the services' task definition
# families (the family's latest revision, so Terraform's changes carry over)
# with the image tag replaced, runs `mtw-worker migrate` as a one-off task
# of the new worker revision and stops there if it fails, then updates both
# services.  Migrations are forward-only and must keep the previous release
# working, so a rollback never reverts the schema.
set -euo pipefail

NGINX_SERVICE=${NGINX_SERVICE:-nginx}
WORKER_SERVICE=${WORKER_SERVICE:-worker}
REPO_PREFIX=${REPO_PREFIX:-mtw-prod}
WAIT_ATTEMPTS=${WAIT_ATTEMPTS:-2}   # x 10 minutes (aws ecs wait)
SMOKE_ATTEMPTS=${SMOKE_ATTEMPTS:-10}
SMOKE_DELAY=${SMOKE_DELAY:-6}

log() { echo "ecs-deploy: $*" >&2; }
die() { log "$*"; exit 1; }
need() { [ -n "${!1:-}" ] || die "$1 is not set"; }

check_version() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]] || die "bad tag '$1'"
    [ "$1" != latest ] || die "refusing to deploy 'latest': give a version"
}

# --- push -------------------------------------------------------------------------

image_exists() { # REPO TAG
    aws ecr describe-images --repository-name "$1" --image-ids "imageTag=$2" \
        >/dev/null 2>&1
}

push() {
    local version=$1 sha=$2 image repo
    need ECR_REGISTRY
    check_version "$version"
    check_version "$sha"
    for image in nginx worker; do
        repo=$REPO_PREFIX/$image
        if image_exists "$repo" "$version" && image_exists "$repo" "$sha"; then
            log "$repo:$version and :$sha already pushed"
            continue
        fi
        make "image-$image" IMAGE_REGISTRY="$ECR_REGISTRY/$REPO_PREFIX" \
            VERSION="$version" REVISION="$sha"
        for tag in "$version" "$sha"; do
            if image_exists "$repo" "$tag"; then
                log "$repo:$tag already pushed (tags are immutable)"
            else
                docker push "$ECR_REGISTRY/$repo:$tag"
            fi
        done
    done
}

# --- deploy / rollback ----------------------------------------------------------------

current_task_definition() { # SERVICE
    aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$1" \
        --query 'services[0].taskDefinition' --output text
}

# register_revision SERVICE TAG: registers the family's latest revision
# with the container image's tag replaced; prints the new revision's ARN
register_revision() {
    local service=$1 tag=$2 current family td
    current=$(current_task_definition "$service")
    if [ -z "$current" ] || [ "$current" = None ]; then
        die "service $service not found in $ECS_CLUSTER"
    fi
    family=$(aws ecs describe-task-definition --task-definition "$current" \
        --query 'taskDefinition.family' --output text)
    td=$(aws ecs describe-task-definition --task-definition "$family" \
        --include TAGS --output json)
    echo "$td" | jq --arg tag "$tag" '
        (.tags // []) as $tags
        | .taskDefinition
        | .containerDefinitions |= map(.image = (.image | sub(":[^:/]+$"; "") + ":" + $tag))
        | {family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions,
           volumes, placementConstraints, requiresCompatibilities, cpu, memory,
           runtimePlatform, tags: (if $tags == [] then null else $tags end)}
        | with_entries(select(.value != null))' >"$TMPDIR_DEPLOY/$service.json"
    aws ecs register-task-definition \
        --cli-input-json "file://$TMPDIR_DEPLOY/$service.json" \
        --query 'taskDefinition.taskDefinitionArn' --output text
}

migrate() { # WORKER_TASK_DEFINITION
    local net task code
    net=$(aws ecs describe-services --cluster "$ECS_CLUSTER" \
        --services "$WORKER_SERVICE" \
        --query 'services[0].networkConfiguration' --output json)
    log "running mtw-worker migrate ($1)"
    task=$(aws ecs run-task --cluster "$ECS_CLUSTER" --task-definition "$1" \
        --launch-type FARGATE --count 1 --started-by deploy-migrate \
        --network-configuration "$net" \
        --overrides "{\"containerOverrides\":[{\"name\":\"$WORKER_SERVICE\",\"command\":[\"migrate\"]}]}" \
        --query 'tasks[0].taskArn' --output text)
    if [ -z "$task" ] || [ "$task" = None ]; then
        die "migration task did not start"
    fi
    aws ecs wait tasks-stopped --cluster "$ECS_CLUSTER" --tasks "$task"
    code=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task" \
        --query "tasks[0].containers[?name=='$WORKER_SERVICE'].exitCode | [0]" \
        --output text)
    [ "$code" = 0 ] || die "migration failed (exit code $code): see the worker log group"
    log "migrations applied"
}

update_services() { # NGINX_TD WORKER_TD
    aws ecs update-service --cluster "$ECS_CLUSTER" --service "$NGINX_SERVICE" \
        --task-definition "$1" --query 'service.serviceName' --output text >/dev/null
    aws ecs update-service --cluster "$ECS_CLUSTER" --service "$WORKER_SERVICE" \
        --task-definition "$2" --query 'service.serviceName' --output text >/dev/null
}

wait_stable() {
    local i
    for ((i = 1; i <= WAIT_ATTEMPTS; i++)); do
        if aws ecs wait services-stable --cluster "$ECS_CLUSTER" \
                --services "$NGINX_SERVICE" "$WORKER_SERVICE"; then
            return 0
        fi
        log "services not stable yet ($i/$WAIT_ATTEMPTS)"
    done
    return 1
}

# running SERVICE TASK_DEFINITION: the service's primary deployment is that
# revision and completed (the ECS circuit breaker may have put the old one
# back, which also looks "stable")
running() {
    local got
    got=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$1" \
        --query "services[0].deployments[?status=='PRIMARY'] | [0].[taskDefinition, rolloutState]" \
        --output text)
    if [ "$got" != "$2	COMPLETED" ]; then
        log "$1 runs '$got', not $2"
        return 1
    fi
}

smoke() {
    local path i
    for path in /api/readyz "/api/score${SMOKE_CITY:+?city=$SMOKE_CITY}"; do
        for ((i = 1; i <= SMOKE_ATTEMPTS; i++)); do
            if curl -fsS --max-time 10 -o /dev/null "$APP_URL$path"; then
                log "smoke: $path answers"
                break
            fi
            [ "$i" -lt "$SMOKE_ATTEMPTS" ] || { log "smoke: $path fails"; return 1; }
            sleep "$SMOKE_DELAY"
        done
    done
}

roll() { # MODE VERSION
    local mode=$1 version=$2 prev_nginx prev_worker new_nginx new_worker
    need AWS_REGION; need ECS_CLUSTER; need APP_URL
    check_version "$version"
    TMPDIR_DEPLOY=$(mktemp -d)
    trap 'rm -rf "$TMPDIR_DEPLOY"' EXIT
    prev_nginx=$(current_task_definition "$NGINX_SERVICE")
    prev_worker=$(current_task_definition "$WORKER_SERVICE")
    log "now running: $prev_nginx, $prev_worker"
    new_nginx=$(register_revision "$NGINX_SERVICE" "$version")
    new_worker=$(register_revision "$WORKER_SERVICE" "$version")
    log "registered $new_nginx, $new_worker"
    if [ "$mode" = deploy ]; then
        migrate "$new_worker"
    fi
    update_services "$new_nginx" "$new_worker"
    if wait_stable && running "$NGINX_SERVICE" "$new_nginx" \
            && running "$WORKER_SERVICE" "$new_worker" && smoke; then
        log "$mode of $version done"
        return 0
    fi
    log "$mode of $version failed: rolling back to $prev_nginx, $prev_worker"
    update_services "$prev_nginx" "$prev_worker"
    wait_stable || log "services not stable after the rollback either"
    smoke || log "smoke tests fail after the rollback too"
    die "$mode of $version rolled back"
}

case "${1:-}" in
    push) [ $# -eq 3 ] || die "usage: ecs-deploy.sh push VERSION SHA"; push "$2" "$3" ;;
    deploy) [ $# -eq 2 ] || die "usage: ecs-deploy.sh deploy VERSION"; roll deploy "$2" ;;
    rollback) [ $# -eq 2 ] || die "usage: ecs-deploy.sh rollback VERSION"; roll rollback "$2" ;;
    *) die "usage: ecs-deploy.sh push VERSION SHA | deploy VERSION | rollback VERSION" ;;
esac
