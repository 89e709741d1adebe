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
  description = "Fargate CPU units of the task (256 = 0.25 vCPU); with memory, one of Fargate's sizes."
}

# Fargate's task sizes: CPU units => the memory (MiB) each allows.  The one
# check of the pair; callers pass both through unchecked.
variable "memory" {
  type        = number
  description = "Memory of the task in MiB: a size Fargate allows with var.cpu (256: 512-2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in 1024 steps; 8192 and 16384: larger)."
  validation {
    condition = contains(lookup({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }, tostring(var.cpu), []), var.memory)
    error_message = "cpu and memory are not a Fargate task size: 256 CPU takes 512, 1024 or 2048 MiB; 512 takes 1024-4096; 1024 takes 2048-8192; 2048 takes 4096-16384; 4096 takes 8192-30720 (1024 steps); 8192 takes 16384-61440 (4096 steps); 16384 takes 32768-122880 (8192 steps)."
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

variable "capacity_provider_strategy" {
  type = list(object({
    capacity_provider = string
    base              = number
    weight            = number
  }))
  description = "Where the tasks run: FARGATE, or FARGATE_SPOT (about 70 % cheaper; a task may be stopped with a 2-minute SIGTERM notice). base tasks go to a provider first, the rest by weight."
  default     = [{ capacity_provider = "FARGATE", base = 0, weight = 1 }]
  validation {
    condition = length(var.capacity_provider_strategy) > 0 && alltrue([
      for s in var.capacity_provider_strategy : contains(["FARGATE", "FARGATE_SPOT"], s.capacity_provider) && s.base >= 0 && s.weight >= 0
    ]) && anytrue([for s in var.capacity_provider_strategy : s.weight > 0])
    error_message = "capacity_provider_strategy: FARGATE or FARGATE_SPOT entries, base and weight >= 0, some weight > 0."
  }
}

variable "one_off_tasks" {
  type = map(object({
    command     = list(string)
    environment = map(string)
    secrets     = map(string)
  }))
  description = "Extra task definition families <cluster>-<name>-<key> for one-off tasks (run-task), with the service's container, image and roles, this command and these environment values and secrets over the service's."
  default     = {}
}
