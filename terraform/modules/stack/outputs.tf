output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.dns_name
}

output "url" {
  description = "Public URL of the dashboard and API."
  value       = "https://${var.domain_name}"
}

output "route53_name_servers" {
  description = "Delegate the domain to these name servers at the registrar."
  value       = module.dns.name_servers
}

output "rds_endpoint" {
  description = "PostgreSQL endpoint (host:port)."
  value       = module.rds.endpoint
}

output "database_master_secret_arn" {
  description = "Secrets Manager secret of the RDS master user (managed by RDS)."
  value       = module.rds.master_user_secret_arn
}

output "database_app_secret_name" {
  description = "Secrets Manager secret of the worker's PostgreSQL role."
  value       = module.database_app.name
}

output "redis_auth_secret_name" {
  description = "Secrets Manager secret of the Redis AUTH token."
  value       = module.redis_auth.name
}

output "redis_endpoint" {
  description = "Redis primary endpoint (host:port)."
  value       = local.redis_addr
}

output "ecr_repository_urls" {
  description = "ECR repository URLs of the nginx and worker images."
  value       = { for k, r in data.aws_ecr_repository.this : k => r.repository_url }
}

output "ecs_cluster_name" {
  description = "ECS cluster name (ECS_CLUSTER of the deploy workflow)."
  value       = module.ecs_cluster.cluster_name
}

output "admin_task_family" {
  description = "Task definition family of the one-off owner tasks (migrate, gtfs-load)."
  value       = module.worker.one_off_task_families["admin"]
}

output "ecs_service_names" {
  description = "ECS service names."
  value       = { nginx = module.nginx.service_name, worker = module.worker.service_name }
}

output "deploy_role_arn" {
  description = "Role the deploy workflows assume (GitHub variable AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.deploy.arn
}

output "alerts_topic_arn" {
  description = "SNS topic of the alarms and the budget."
  value       = module.monitoring.sns_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}
