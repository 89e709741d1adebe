#!/usr/bin/env bash
# ecs-deploy.sh - build, promote, deploy and roll back the two ECS services.
# Used by the deploy and rollback workflows and by hand (docs/runbooks/).
#
#   ecs-deploy.sh push SHA             build both images of commit SHA (make
#                                      image-*) and push them tagged SHA,
#                                      unless ECR has them already
#   ecs-deploy.sh promote SHA VERSION  tag the images of SHA with the release
#                                      VERSION too: the same manifest, so the
#                                      same digest staging ran
#   ecs-deploy.sh deploy TAG           migrate, roll both services to the
#                                      images TAG names, pinned by digest,
#                                      wait, smoke-test; roll back on failure
#   ecs-deploy.sh rollback TAG         the same to an earlier TAG, without
#                                      migrating
#
# Environment: AWS_REGION, ECS_CLUSTER, ECR_REGISTRY (push), APP_URL
# (https://domain, smoke tests), NGINX_SERVICE (nginx), WORKER_SERVICE
# (worker), REPO_PREFIX (mtw: the repositories REPO_PREFIX/nginx and
# REPO_PREFIX/worker that staging and production share), ADMIN_SUFFIX
# (-admin: the worker's one-off task family <worker family>-admin, which
# logs in as the database owner), SMOKE_CITY (optional ?city= of /api/score).
#
# A deploy looks up the digest of each image TAG names, registers new
# revisions of the services' task definition families and of the admin
# family (each family's latest revision, so Terraform's changes carry over)
# with the image pinned to that digest, runs `mtw-worker migrate` as a
# one-off task of the new admin revision and stops there if it fails, then
# updates both services.  Migrations are forward-only and must keep the
# previous release working, so a rollback never reverts the schema.
set -euo pipefail

NGINX_SERVICE=${NGINX_SERVICE:-nginx}
WORKER_SERVICE=${WORKER_SERVICE:-worker}
REPO_PREFIX=${REPO_PREFIX:-mtw}
ADMIN_SUFFIX=${ADMIN_SUFFIX:--admin}
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
    local sha=$1 image repo
    need ECR_REGISTRY
    check_version "$sha"
    for image in nginx worker; do
        repo=$REPO_PREFIX/$image
        if image_exists "$repo" "$sha"; then
            log "$repo:$sha already pushed (tags are immutable)"
            continue
        fi
        make "image-$image" IMAGE_REGISTRY="$ECR_REGISTRY/$REPO_PREFIX" \
            REVISION="$sha"
        docker push "$ECR_REGISTRY/$repo:$sha"
    done
}

digest_of() { # REPO TAG: the image's digest, or nothing
    aws ecr describe-images --repository-name "$1" --image-ids "imageTag=$2" \
        --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true
}

# promote SHA VERSION: the release tag on the very manifest of the build
promote() {
    local sha=$1 version=$2 image repo from have manifest type
    check_version "$sha"
    check_version "$version"
    for image in nginx worker; do
        repo=$REPO_PREFIX/$image
        from=$(digest_of "$repo" "$sha")
        case "$from" in
            sha256:*) ;;
            *) die "$repo has no image $sha: the release commit was never built by a merge to main" ;;
        esac
        have=$(digest_of "$repo" "$version")
        if [ "$have" = "$from" ]; then
            log "$repo:$version is $from already"
            continue
        fi
        [ -z "$have" ] || [ "$have" = None ] \
            || die "$repo:$version is $have, not the build of $sha ($from)"
        manifest=$(aws ecr batch-get-image --repository-name "$repo" \
            --image-ids "imageDigest=$from" --query 'images[0].imageManifest' --output text)
        type=$(aws ecr batch-get-image --repository-name "$repo" \
            --image-ids "imageDigest=$from" --query 'images[0].imageManifestMediaType' --output text)
        aws ecr put-image --repository-name "$repo" --image-tag "$version" \
            --image-manifest "$manifest" --image-manifest-media-type "$type" \
            --query 'image.imageId.imageDigest' --output text >/dev/null
        log "$repo:$version -> $from (the image staging ran)"
    done
}

# --- deploy / rollback ----------------------------------------------------------------

current_task_definition() { # SERVICE
    aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$1" \
        --query 'services[0].taskDefinition' --output text
}

family_of() { # SERVICE
    local current
    current=$(current_task_definition "$1")
    if [ -z "$current" ] || [ "$current" = None ]; then
        die "service $1 not found in $ECS_CLUSTER"
    fi
    aws ecs describe-task-definition --task-definition "$current" \
        --query 'taskDefinition.family' --output text
}

# register_revision FAMILY DIGEST: registers the family's latest revision
# with the container image pinned to DIGEST (repository@sha256:...);
# prints the new revision's ARN
register_revision() {
    local family=$1 digest=$2 td
    td=$(aws ecs describe-task-definition --task-definition "$family" \
        --include TAGS --output json)
    echo "$td" | jq --arg digest "$digest" '
        (.tags // []) as $tags
        | .taskDefinition
        | .containerDefinitions |= map(.image = (.image | sub("(@sha256:[0-9a-f]+|:[^:/@]+)$"; "") + "@" + $digest))
        | {family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions,
           volumes, placementConstraints, requiresCompatibilities, cpu, memory,
           runtimePlatform, tags: (if $tags == [] then null else $tags end)}
        | with_entries(select(.value != null))' >"$TMPDIR_DEPLOY/$family.json"
    aws ecs register-task-definition \
        --cli-input-json "file://$TMPDIR_DEPLOY/$family.json" \
        --query 'taskDefinition.taskDefinitionArn' --output text
}

migrate() { # ADMIN_TASK_DEFINITION
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

roll() { # MODE TAG
    local mode=$1 version=$2 prev_nginx prev_worker new_nginx new_worker
    local nginx_digest worker_digest worker_family
    need AWS_REGION; need ECS_CLUSTER; need APP_URL
    check_version "$version"
    nginx_digest=$(digest_of "$REPO_PREFIX/nginx" "$version")
    worker_digest=$(digest_of "$REPO_PREFIX/worker" "$version")
    for d in "$nginx_digest" "$worker_digest"; do
        case "$d" in
            sha256:*) ;;
            *) die "no image $version in $REPO_PREFIX/nginx and $REPO_PREFIX/worker" ;;
        esac
    done
    log "$version is nginx@$nginx_digest, worker@$worker_digest"
    TMPDIR_DEPLOY=$(mktemp -d)
    trap 'rm -rf "$TMPDIR_DEPLOY"' EXIT
    prev_nginx=$(current_task_definition "$NGINX_SERVICE")
    prev_worker=$(current_task_definition "$WORKER_SERVICE")
    log "now running: $prev_nginx, $prev_worker"
    worker_family=$(family_of "$WORKER_SERVICE")
    new_nginx=$(register_revision "$(family_of "$NGINX_SERVICE")" "$nginx_digest")
    new_worker=$(register_revision "$worker_family" "$worker_digest")
    log "registered $new_nginx, $new_worker"
    if [ "$mode" = deploy ]; then
        migrate "$(register_revision "$worker_family$ADMIN_SUFFIX" "$worker_digest")"
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
    push) [ $# -eq 2 ] || die "usage: ecs-deploy.sh push SHA"; push "$2" ;;
    promote) [ $# -eq 3 ] || die "usage: ecs-deploy.sh promote SHA VERSION"; promote "$2" "$3" ;;
    deploy) [ $# -eq 2 ] || die "usage: ecs-deploy.sh deploy TAG"; roll deploy "$2" ;;
    rollback) [ $# -eq 2 ] || die "usage: ecs-deploy.sh rollback TAG"; roll rollback "$2" ;;
    *) die "usage: ecs-deploy.sh push SHA | promote SHA VERSION | deploy TAG | rollback TAG" ;;
esac
