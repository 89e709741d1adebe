# stack - one environment of mind-the-wait on AWS (DESIGN.md §2, §8), the
# composition environments/prod and environments/staging both call:
#
#   Route 53 + ACM -> ALB (443; 80 redirects) -> ECS Fargate `nginx`
#   (module + dashboard, :8080, ALB health /api/livez, 2 -> 3 tasks in
#   two zones) and `worker` (no ports, regular Fargate; a standby may run
#   on Spot: per-city Redis lease) -> RDS PostgreSQL (TLS verify-full,
#   least-privilege role) and ElastiCache Redis (TLS + AUTH) in private
#   subnets.
#
# Images are deployed by .github/workflows/deploy.yml: it runs
# `mtw-worker migrate` as a one-off task of the worker's admin task
# definition (the database owner's credentials), then rolls both services
# to the release's image digest.

locals {
  name              = "mtw-${var.environment}"
  metrics_namespace = "MindTheWait/${var.environment}"
  repositories      = { for i in ["nginx", "worker"] : i => "${var.image_repository_prefix}/${i}" }
  redis_host        = module.elasticache.endpoint
  redis_addr        = "${module.elasticache.endpoint}:${module.elasticache.port}"
  # ElastiCache's in-transit certificates chain to Amazon's public roots
  # (Debian's ca-certificates); RDS's to the RDS CA bundle in the worker image
  system_ca_file = "/etc/ssl/certs/ca-certificates.crt"
  rds_ca_file    = "/usr/share/mtw/rds-ca-bundle.pem"
  database_url   = "postgresql://%s@${module.rds.address}:5432/${var.database_name}?sslmode=verify-full&sslrootcert=${local.rds_ca_file}"
}

module "networking" {
  source               = "../networking"
  name                 = local.name
  vpc_cidr             = var.vpc_cidr
  availability_zones   = var.availability_zones
  public_subnet_cidrs  = var.public_subnet_cidrs
  private_subnet_cidrs = var.private_subnet_cidrs
  app_port             = 8080
}

# the image repositories staging and production share (terraform/bootstrap)
data "aws_ecr_repository" "this" {
  for_each = local.repositories
  name     = each.value
}

module "dns" {
  source       = "../dns"
  domain_name  = var.domain_name
  create_zone  = var.create_dns_zone
  alb_dns_name = module.alb.dns_name
  alb_zone_id  = module.alb.zone_id
}

module "alb" {
  source              = "../alb"
  name                = local.name
  vpc_id              = module.networking.vpc_id
  public_subnet_ids   = module.networking.public_subnet_ids
  security_group_id   = module.networking.alb_security_group_id
  certificate_arn     = module.dns.certificate_arn
  target_port         = 8080
  health_check_path   = "/api/livez"
  deletion_protection = true
}

module "rds" {
  source                = "../rds"
  name                  = local.name
  subnet_ids            = module.networking.private_subnet_ids
  security_group_id     = module.networking.rds_security_group_id
  instance_class        = var.rds_instance_class
  allocated_storage     = var.rds_allocated_storage
  max_allocated_storage = var.rds_max_allocated_storage
  multi_az              = var.rds_multi_az
  backup_retention_days = var.rds_backup_retention_days
  database_name         = var.database_name
  username              = var.database_username
  log_retention_days    = var.log_retention_days
}

module "elasticache" {
  source            = "../elasticache"
  name              = local.name
  subnet_ids        = module.networking.private_subnet_ids
  security_group_id = module.networking.redis_security_group_id
  node_type         = var.redis_node_type
  auth_token        = data.aws_secretsmanager_secret_version.redis_auth.secret_string
}

module "ecs_cluster" {
  source = "../ecs-cluster"
  name   = local.name
  secret_arns = [
    module.redis_auth.arn,
    module.database_app.arn,
    module.rds.master_user_secret_arn,
  ]
}

module "nginx" {
  source              = "../ecs-service"
  name                = "nginx"
  cluster_name        = module.ecs_cluster.cluster_name
  cluster_arn         = module.ecs_cluster.cluster_arn
  region              = var.aws_region
  image               = "${data.aws_ecr_repository.this["nginx"].repository_url}:${var.image_tag}"
  cpu                 = var.nginx_cpu
  memory              = var.nginx_memory
  container_port      = 8080
  execution_role_arn  = module.ecs_cluster.execution_role_arn
  subnet_ids          = module.networking.public_subnet_ids
  security_group_ids  = [module.networking.nginx_security_group_id]
  assign_public_ip    = true
  target_group_arn    = module.alb.target_group_arn
  desired_count       = var.nginx_min_tasks
  min_capacity        = var.nginx_min_tasks
  max_capacity        = var.nginx_max_tasks
  cpu_target          = var.nginx_cpu_target
  requests_per_target = var.nginx_requests_per_target
  alb_resource_label  = "${module.alb.arn_suffix}/${module.alb.target_group_arn_suffix}"
  log_retention_days  = var.log_retention_days
  environment = {
    MTW_REDIS_ADDR         = local.redis_addr
    MTW_REDIS_TLS          = "on"
    MTW_REDIS_CA_FILE      = local.system_ca_file
    MTW_REDIS_TLS_NAME     = local.redis_host
    MTW_HTTP_PORT          = "8080"
    MTW_TRUSTED_PROXY_CIDR = var.vpc_cidr
    MTW_CITY               = var.city
  }
  secrets = {
    MTW_REDIS_PASSWORD = module.redis_auth.arn
  }
}

module "worker" {
  source             = "../ecs-service"
  name               = "worker"
  cluster_name       = module.ecs_cluster.cluster_name
  cluster_arn        = module.ecs_cluster.cluster_arn
  region             = var.aws_region
  image              = "${data.aws_ecr_repository.this["worker"].repository_url}:${var.image_tag}"
  command            = ["run"]
  cpu                = var.worker_cpu
  memory             = var.worker_memory
  execution_role_arn = module.ecs_cluster.execution_role_arn
  subnet_ids         = module.networking.public_subnet_ids
  security_group_ids = [module.networking.worker_security_group_id]
  assign_public_ip   = true
  desired_count      = var.worker_count
  # the active worker on regular Fargate; a standby (worker_count 2) on Spot
  capacity_provider_strategy = [
    { capacity_provider = "FARGATE", base = 1, weight = 0 },
    { capacity_provider = "FARGATE_SPOT", base = 0, weight = 1 },
  ]
  min_capacity       = var.worker_count
  max_capacity       = var.worker_count
  log_retention_days = var.log_retention_days
  # old and new worker overlap during a deploy; the per-city lease keeps
  # exactly one of them active
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  environment = {
    MTW_REDIS_URL         = "rediss://${local.redis_addr}"
    MTW_REDIS_CA_FILE     = local.system_ca_file
    MTW_DATABASE_URL      = format(local.database_url, var.database_app_username)
    MTW_CITY              = var.city
    MTW_TZ                = var.city_timezone
    MTW_VEHICLES_URL      = var.feed_urls.vehicles
    MTW_TRIPS_URL         = var.feed_urls.trips
    MTW_ALERTS_URL        = var.feed_urls.alerts
    MTW_POLL_SEC          = tostring(var.poll_sec)
    MTW_LOG_FORMAT        = "json"
    MTW_METRICS_NAMESPACE = local.metrics_namespace
  }
  secrets = {
    MTW_REDIS_PASSWORD = module.redis_auth.arn
    PGPASSWORD         = "${module.database_app.arn}:password::"
  }
  # `migrate`, `gtfs-load`: the database owner (RDS master user, password
  # managed by RDS in Secrets Manager), which also sets the application
  # role's password from its secret (mtw-worker migrate)
  one_off_tasks = {
    admin = {
      command = ["migrate"]
      environment = {
        MTW_DATABASE_URL      = format(local.database_url, var.database_username)
        MTW_DATABASE_APP_USER = var.database_app_username
      }
      secrets = {
        PGPASSWORD                = "${module.rds.master_user_secret_arn}:password::"
        MTW_DATABASE_APP_PASSWORD = "${module.database_app.arn}:password::"
      }
    }
  }
}

module "monitoring" {
  source                   = "../monitoring"
  name                     = local.name
  environment              = var.environment
  region                   = var.aws_region
  alert_email              = var.alert_email
  cluster_name             = module.ecs_cluster.cluster_name
  nginx_service_name       = module.nginx.service_name
  worker_service_name      = module.worker.service_name
  alb_arn_suffix           = module.alb.arn_suffix
  target_group_arn_suffix  = module.alb.target_group_arn_suffix
  rds_instance_id          = module.rds.instance_id
  rds_allocated_storage_gb = var.rds_allocated_storage
  redis_cache_cluster_id   = module.elasticache.cache_cluster_id
  metrics_namespace        = local.metrics_namespace
  cities                   = [var.city]
  heartbeat_stale_minutes  = 5
  budget_limit_usd         = var.monthly_budget_usd
  budget_alert_percentages = [80, 100]
}
