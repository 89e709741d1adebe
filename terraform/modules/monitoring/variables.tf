variable "name" {
  type        = string
  description = "Prefix of alarm, topic, dashboard and budget names, e.g. mtw-prod."
}

variable "environment" {
  type        = string
  description = "Environment tag value (default_tags Environment) the budget counts the costs of."
  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.environment))
    error_message = "environment must be a tag value such as prod."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the metrics (dashboard widgets)."
}

variable "alert_email" {
  type        = string
  description = "Address subscribed to the alert topic and the budget (empty: none; subscribe later)."
  default     = ""
  validation {
    condition     = var.alert_email == "" || can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address or empty."
  }
}

variable "cluster_name" {
  type        = string
  description = "ECS cluster of the services."
}

variable "nginx_service_name" {
  type        = string
  description = "ECS service serving the API and dashboard."
}

variable "worker_service_name" {
  type        = string
  description = "ECS service running mtw-worker."
}

variable "alb_arn_suffix" {
  type        = string
  description = "ALB ARN suffix (dimension LoadBalancer)."
}

variable "target_group_arn_suffix" {
  type        = string
  description = "Target group ARN suffix (dimension TargetGroup)."
}

variable "rds_instance_id" {
  type        = string
  description = "RDS instance identifier."
}

variable "rds_allocated_storage_gb" {
  type        = number
  description = "Allocated RDS storage in GB: the free-storage alarm fires below 20 % of it."
}

variable "redis_cache_cluster_id" {
  type        = string
  description = "ElastiCache node id (dimension CacheClusterId)."
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of the worker's own metrics (its WorkerHeartbeat, see terraform/README.md)."
}

variable "cities" {
  type        = list(string)
  description = "City slugs whose worker heartbeat is watched."
  validation {
    condition     = length(var.cities) > 0
    error_message = "Watch at least one city."
  }
}

variable "heartbeat_stale_minutes" {
  type        = number
  description = "Minutes without a WorkerHeartbeat before the alarm fires."
  default     = 5
}

variable "budget_limit_usd" {
  type        = number
  description = "Monthly AWS budget in USD."
  default     = 100
}

variable "budget_alert_percentages" {
  type        = list(number)
  description = "Budget percentages that alert on actual spend (100 % also alerts on the forecast)."
  default     = [80, 100]
}
