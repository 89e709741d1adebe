# One environment of mind-the-wait on AWS (DESIGN.md §2, §8):
#
#   Route 53 + ACM -> ALB (443; 80 redirects) -> ECS Fargate `nginx`
#   (module + dashboard, :8080, /api/readyz, 1 -> 3 tasks) and `worker`
#   (no ports, 1 task, a second allowed: per-city Redis lease) -> RDS
#   PostgreSQL and ElastiCache Redis in private subnets.
#
# Images are deployed by .github/workflows/deploy-production.yml: it runs
# `mtw-worker migrate` as a one-off task of the worker's task definition,
# then rolls both services to the release's immutable tag.

locals {
  name              = "mtw-${var.environment}"
  metrics_namespace = "MindTheWait/${var.environment}"
  repositories      = { nginx = "mtw-${var.environment}/nginx", worker = "mtw-${var.environment}/worker" }
  redis_addr        = "${module.elasticache.endpoint}:${module.elasticache.port}"
}

module "networking" {
  source               = "../../modules/networking"
  name                 = local.name
  vpc_cidr             = var.vpc_cidr
  availability_zones   = var.availability_zones
  public_subnet_cidrs  = var.public_subnet_cidrs
  private_subnet_cidrs = var.private_subnet_cidrs
  app_port             = 8080
}

module "ecr" {
  source           = "../../modules/ecr"
  repository_names = values(local.repositories)
  keep_images      = 10
}

module "dns" {
  source       = "../../modules/dns"
  domain_name  = var.domain_name
  create_zone  = var.create_dns_zone
  alb_dns_name = module.alb.dns_name
  alb_zone_id  = module.alb.zone_id
}

module "alb" {
  source              = "../../modules/alb"
  name                = local.name
  vpc_id              = module.networking.vpc_id
  public_subnet_ids   = module.networking.public_subnet_ids
  security_group_id   = module.networking.alb_security_group_id
  certificate_arn     = module.dns.certificate_arn
  target_port         = 8080
  health_check_path   = "/api/readyz"
  deletion_protection = true
}

module "rds" {
  source                = "../../modules/rds"
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
  source            = "../../modules/elasticache"
  name              = local.name
  subnet_ids        = module.networking.private_subnet_ids
  security_group_id = module.networking.redis_security_group_id
  node_type         = var.redis_node_type
}

module "ecs_cluster" {
  source      = "../../modules/ecs-cluster"
  name        = local.name
  secret_arns = [module.rds.password_parameter_arn]
}

module "nginx" {
  source              = "../../modules/ecs-service"
  name                = "nginx"
  cluster_name        = module.ecs_cluster.cluster_name
  cluster_arn         = module.ecs_cluster.cluster_arn
  region              = var.aws_region
  image               = "${module.ecr.repository_urls[local.repositories.nginx]}:${var.image_tag}"
  cpu                 = var.nginx_cpu
  memory              = var.nginx_memory
  container_port      = 8080
  execution_role_arn  = module.ecs_cluster.execution_role_arn
  subnet_ids          = module.networking.public_subnet_ids
  security_group_ids  = [module.networking.tasks_security_group_id]
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
    MTW_HTTP_PORT          = "8080"
    MTW_TRUSTED_PROXY_CIDR = var.vpc_cidr
    MTW_CITY               = var.city
  }
}

module "worker" {
  source             = "../../modules/ecs-service"
  name               = "worker"
  cluster_name       = module.ecs_cluster.cluster_name
  cluster_arn        = module.ecs_cluster.cluster_arn
  region             = var.aws_region
  image              = "${module.ecr.repository_urls[local.repositories.worker]}:${var.image_tag}"
  command            = ["run"]
  cpu                = var.worker_cpu
  memory             = var.worker_memory
  execution_role_arn = module.ecs_cluster.execution_role_arn
  subnet_ids         = module.networking.public_subnet_ids
  security_group_ids = [module.networking.tasks_security_group_id]
  assign_public_ip   = true
  desired_count      = var.worker_count
  capacity_provider  = var.worker_spot ? "FARGATE_SPOT" : "FARGATE"
  min_capacity       = var.worker_count
  max_capacity       = var.worker_count
  log_retention_days = var.log_retention_days
  # old and new worker overlap during a deploy; the per-city lease keeps
  # exactly one of them active
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  environment = {
    MTW_REDIS_URL         = "redis://${local.redis_addr}"
    MTW_DATABASE_URL      = "postgresql://${var.database_username}@${module.rds.address}:5432/${var.database_name}?sslmode=require"
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
    PGPASSWORD = module.rds.password_parameter_arn
  }
}

module "monitoring" {
  source                   = "../../modules/monitoring"
  name                     = local.name
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
