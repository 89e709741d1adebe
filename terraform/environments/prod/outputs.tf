# What operators and the workflows' variables need (terraform/README.md).
# staging/outputs.tf is a link to this file.

output "url" {
  description = "Public URL of the dashboard and API (APP_URL)."
  value       = module.stack.url
}

output "route53_name_servers" {
  description = "Delegate the domain to these name servers at the registrar."
  value       = module.stack.route53_name_servers
}

output "deploy_role_arn" {
  description = "Role the deploy workflow assumes in this environment (AWS_DEPLOY_ROLE_ARN)."
  value       = module.stack.deploy_role_arn
}

output "ecs_cluster_name" {
  description = "ECS cluster (ECS_CLUSTER)."
  value       = module.stack.ecs_cluster_name
}

output "ecs_service_names" {
  description = "ECS service names."
  value       = module.stack.ecs_service_names
}

output "admin_task_family" {
  description = "Task definition family of the one-off owner tasks (migrate, gtfs-load)."
  value       = module.stack.admin_task_family
}

output "ecr_repository_urls" {
  description = "The shared image repositories."
  value       = module.stack.ecr_repository_urls
}

output "rds_endpoint" {
  description = "PostgreSQL endpoint (host:port)."
  value       = module.stack.rds_endpoint
}

output "redis_endpoint" {
  description = "Redis primary endpoint (host:port, TLS)."
  value       = module.stack.redis_endpoint
}

output "secrets" {
  description = "Secrets Manager secrets: the RDS master user's (managed by RDS), the worker's role's, the Redis AUTH token's."
  value = {
    database_master = module.stack.database_master_secret_arn
    database_app    = module.stack.database_app_secret_name
    redis_auth      = module.stack.redis_auth_secret_name
  }
}

output "alerts_topic_arn" {
  description = "SNS topic of the alarms and the budget."
  value       = module.stack.alerts_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.stack.dashboard_name
}
