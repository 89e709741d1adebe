variable "name" {
  type        = string
  description = "Service and container name, e.g. nginx or worker."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be lower-case letters, digits and dashes."
  }
}

variable "cluster_name" {
  type        = string
  description = "Name of the ECS cluster."
}

variable "cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster."
}

variable "region" {
  type        = string
  description = "AWS region (for the awslogs driver)."
}

variable "image" {
  type        = string
  description = "Image of the first task definition revision, repository:tag. Deploys register new revisions with immutable version tags; never latest."
  validation {
    condition     = can(regex(":[A-Za-z0-9._-]+$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must carry an explicit tag other than latest."
  }
}

variable "command" {
  type        = list(string)
  description = "Container command (null: the image's CMD)."
  default     = null
}

variable "cpu" {
  type        = number
  description = "Fargate CPU units of the task."
  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory" {
  type        = number
  description = "Memory of the task in MiB."
  validation {
    condition     = var.memory >= 512 && var.memory <= 30720
    error_message = "memory must be between 512 and 30720 MiB."
  }
}

variable "container_port" {
  type        = number
  description = "Port the container listens on (null: no port, e.g. the worker)."
  default     = null
}

variable "environment" {
  type        = map(string)
  description = "Plain environment of the container: nothing secret (secrets go in var.secrets)."
  default     = {}
}

variable "secrets" {
  type        = map(string)
  description = "Environment variables injected by ECS from SSM Parameter Store or Secrets Manager: name => parameter/secret ARN."
  default     = {}
}

variable "execution_role_arn" {
  type        = string
  description = "Task execution role (image pull, logs, secrets)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Subnets of the tasks."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the tasks."
}

variable "assign_public_ip" {
  type        = bool
  description = "Give tasks a public IP (public subnets without a NAT gateway)."
  default     = true
}

variable "desired_count" {
  type        = number
  description = "Tasks to start with (autoscaling moves it between min_capacity and max_capacity)."
  default     = 1
}

variable "min_capacity" {
  type        = number
  description = "Autoscaling minimum number of tasks."
  default     = 1
}

variable "max_capacity" {
  type        = number
  description = "Autoscaling maximum number of tasks; equal to min_capacity disables autoscaling."
  default     = 1
}

variable "cpu_target" {
  type        = number
  description = "Target average CPU utilisation (%) for target tracking."
  default     = 60
}

variable "requests_per_target" {
  type        = number
  description = "Target ALB requests per task per minute for target tracking (null: no such policy)."
  default     = null
}

variable "alb_resource_label" {
  type        = string
  description = "app/<alb>/<id>/targetgroup/<tg>/<id>, for ALBRequestCountPerTarget (null without a load balancer)."
  default     = null
}

variable "target_group_arn" {
  type        = string
  description = "Target group to register the tasks in (null: no load balancer)."
  default     = null
}

variable "deployment_minimum_healthy_percent" {
  type        = number
  description = "Healthy tasks kept during a deployment, in percent of desired."
  default     = 100
}

variable "deployment_maximum_percent" {
  type        = number
  description = "Tasks allowed during a deployment, in percent of desired."
  default     = 200
}

variable "health_check_command" {
  type        = list(string)
  description = "Container health check (the images' mtw-healthcheck)."
  default     = ["CMD", "mtw-healthcheck"]
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the service's CloudWatch log group."
  default     = 7
}

variable "task_policy_json" {
  type        = string
  description = "Extra IAM policy of the task role (null: none)."
  default     = null
}

variable "capacity_provider" {
  type        = string
  description = "FARGATE, or FARGATE_SPOT (about 70 % cheaper; tasks may be stopped with a 2-minute SIGTERM notice)."
  default     = "FARGATE"
  validation {
    condition     = contains(["FARGATE", "FARGATE_SPOT"], var.capacity_provider)
    error_message = "capacity_provider must be FARGATE or FARGATE_SPOT."
  }
}
