# A plan of production with a mocked AWS provider (no account, no network):
# `terraform test` in environments/prod, run by scripts/check-terraform.sh
# against the machine's provider mirror.  It proves the composition plans
# (types, validations, for_each keys, no cycles) and asserts what the
# production plan must hold; the static policy (tools/tf-policy.mjs) checks
# the rest on the parsed files.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }
  mock_data "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:ca-central-1:123456789012:repository/mtw/image"
      repository_url = "123456789012.dkr.ecr.ca-central-1.amazonaws.com/mtw/image"
    }
  }
  mock_data "aws_secretsmanager_secret_version" {
    defaults = { secret_string = "0123456789abcdefABCDEF0123456789" }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      address            = "mtw-prod.abcdefghijkl.ca-central-1.rds.amazonaws.com"
      master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:ca-central-1:123456789012:secret:rds!db-1-AbCdEf", kms_key_id = "", secret_status = "active" }]
    }
  }
  mock_resource "aws_elasticache_replication_group" {
    defaults = {
      primary_endpoint_address = "master.mtw-prod.abcdef.cac1.cache.amazonaws.com"
      member_clusters          = ["mtw-prod-001"]
    }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:ca-central-1:123456789012:certificate/0000"
      domain_validation_options = [
        { domain_name = "mindthewait.example", resource_record_name = "_a.mindthewait.example.", resource_record_type = "CNAME", resource_record_value = "_a.acm-validations.aws." },
        { domain_name = "www.mindthewait.example", resource_record_name = "_b.www.mindthewait.example.", resource_record_type = "CNAME", resource_record_value = "_b.acm-validations.aws." },
      ]
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:ca-central-1:123456789012:loadbalancer/app/mtw-prod/0123456789abcdef"
      arn_suffix = "app/mtw-prod/0123456789abcdef"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:ca-central-1:123456789012:targetgroup/mtw-prod-nginx/0123456789abcdef"
      arn_suffix = "targetgroup/mtw-prod-nginx/0123456789abcdef"
    }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:ca-central-1:123456789012:cluster/mtw-prod" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mtw-prod-role" }
  }
}

# modules/secret draws its value through an ephemeral resource, which mock
# providers do not support yet (Terraform 1.11): it gets a real provider
# that never reaches AWS (the module is replaced by these outputs, so the
# value is never drawn)
provider "aws" {
  alias                       = "secrets"
  region                      = "ca-central-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_module {
  target = module.stack.module.redis_auth
  outputs = {
    arn        = "arn:aws:secretsmanager:ca-central-1:123456789012:secret:mtw-prod/redis/auth-token-AbCdEf"
    name       = "mtw-prod/redis/auth-token"
    version_id = "v1"
  }
}

override_module {
  target = module.stack.module.database_app
  outputs = {
    arn        = "arn:aws:secretsmanager:ca-central-1:123456789012:secret:mtw-prod/database/app-AbCdEf"
    name       = "mtw-prod/database/app"
    version_id = "v1"
  }
}

variables {
  domain_name       = "mindthewait.example"
  image_tag         = "1.4.0"
  github_repository = "example/mind-the-wait-c"
  alert_email       = "ops@mindthewait.example"
  feed_urls = {
    vehicles = "https://feeds.example/VehiclePositions.pb"
    trips    = "https://feeds.example/TripUpdates.pb"
    alerts   = "https://feeds.example/Alerts.pb"
  }
}

run "production_plans" {
  command   = plan
  providers = { aws = aws, aws.secrets = aws.secrets }

  assert {
    condition     = output.ecs_service_names == { nginx = "nginx", worker = "worker" }
    error_message = "production runs the nginx and worker services"
  }
  assert {
    condition     = output.admin_task_family == "mtw-prod-worker-admin"
    error_message = "the owner's one-off task family is mtw-prod-worker-admin"
  }
  assert {
    condition     = output.url == "https://mindthewait.example"
    error_message = "the public URL is the domain over HTTPS"
  }
}

# the modules production calls, one at a time, where a property lives in a
# resource the root's outputs do not show

run "fargate_pair_checked_once" {
  command = plan
  module {
    source = "../../modules/ecs-service"
  }
  variables {
    name               = "nginx"
    cluster_name       = "mtw-prod"
    cluster_arn        = "arn:aws:ecs:ca-central-1:123456789012:cluster/mtw-prod"
    region             = "ca-central-1"
    image              = "repo/nginx:1.4.0"
    execution_role_arn = "arn:aws:iam::123456789012:role/exec"
    subnet_ids         = ["subnet-a", "subnet-b"]
    security_group_ids = ["sg-1"]
    cpu                = 256
    memory             = 4096
  }
  expect_failures = [var.memory]
}

run "worker_on_regular_fargate" {
  command = plan
  module {
    source = "../../modules/ecs-service"
  }
  variables {
    name               = "worker"
    cluster_name       = "mtw-prod"
    cluster_arn        = "arn:aws:ecs:ca-central-1:123456789012:cluster/mtw-prod"
    region             = "ca-central-1"
    image              = "repo/worker:1.4.0"
    execution_role_arn = "arn:aws:iam::123456789012:role/exec"
    subnet_ids         = ["subnet-a", "subnet-b"]
    security_group_ids = ["sg-1"]
    cpu                = 512
    memory             = 1024
    capacity_provider_strategy = [
      { capacity_provider = "FARGATE", base = 1, weight = 0 },
      { capacity_provider = "FARGATE_SPOT", base = 0, weight = 1 },
    ]
    one_off_tasks = {
      admin = { command = ["migrate"], environment = { MTW_DATABASE_URL = "postgresql://owner@db/mtw" }, secrets = { PGPASSWORD = "arn:aws:secretsmanager:r:1:secret:x:password::" } }
    }
  }
  assert {
    condition     = one([for s in aws_ecs_service.this.capacity_provider_strategy : s if s.capacity_provider == "FARGATE"]).base == 1
    error_message = "the first worker task runs on regular Fargate"
  }
  assert {
    condition     = aws_ecs_task_definition.one_off["admin"].family == "mtw-prod-worker-admin"
    error_message = "the admin task is its own family"
  }
  assert {
    condition     = strcontains(aws_ecs_task_definition.one_off["admin"].container_definitions, "postgresql://owner@db/mtw") && !strcontains(aws_ecs_task_definition.this.container_definitions, "owner@")
    error_message = "only the admin task logs in as the owner"
  }
}

run "redis_tls_and_auth" {
  command = plan
  module {
    source = "../../modules/elasticache"
  }
  variables {
    name              = "mtw-prod"
    subnet_ids        = ["subnet-a", "subnet-b"]
    security_group_id = "sg-1"
    auth_token        = "0123456789abcdefABCDEF0123456789"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.transit_encryption_enabled && aws_elasticache_replication_group.this.transit_encryption_mode == "required"
    error_message = "Redis takes TLS only"
  }
}

run "budget_of_this_environment_only" {
  command = plan
  module {
    source = "../../modules/monitoring"
  }
  variables {
    name                     = "mtw-prod"
    environment              = "prod"
    region                   = "ca-central-1"
    cluster_name             = "mtw-prod"
    nginx_service_name       = "nginx"
    worker_service_name      = "worker"
    alb_arn_suffix           = "app/mtw-prod/1"
    target_group_arn_suffix  = "targetgroup/mtw-prod-nginx/1"
    rds_instance_id          = "mtw-prod"
    rds_allocated_storage_gb = 20
    redis_cache_cluster_id   = "mtw-prod-001"
    metrics_namespace        = "MindTheWait/prod"
    cities                   = ["saskatoon", "regina"]
    budget_limit_usd         = 130
  }
  assert {
    condition     = one(aws_budgets_budget.monthly.cost_filter).name == "TagKeyValue" && one(one(aws_budgets_budget.monthly.cost_filter).values) == "user:Environment$prod"
    error_message = "the budget counts the prod Environment tag's costs only"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 3 * 2 + 2 + 4
    error_message = "alarms: 3 per service, 1 per city, 4 once"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["worker-heartbeat-stale-regina"].dimensions["City"] == "regina"
    error_message = "a heartbeat alarm per city"
  }
}

run "rds_password_managed_by_rds" {
  command = plan
  module {
    source = "../../modules/rds"
  }
  variables {
    name              = "mtw-prod"
    subnet_ids        = ["subnet-a", "subnet-b"]
    security_group_id = "sg-1"
    database_name     = "mtw"
    username          = "mtw_admin"
  }
  assert {
    condition     = aws_db_instance.this.manage_master_user_password && aws_db_instance.this.password == null
    error_message = "RDS keeps the master password; none in the plan"
  }
  assert {
    condition     = aws_db_instance.this.ca_cert_identifier == "rds-ca-rsa2048-g1"
    error_message = "the server certificate's CA is the one the image's bundle holds"
  }
}
