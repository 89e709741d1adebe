variable "aws_region" {
  type        = string
  description = "The one region everything runs in."
  default     = "ca-central-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ca-central-1."
  }
}

variable "environment" {
  type        = string
  description = "Environment name: prefixes every resource (mtw-<environment>) and tags it."
  validation {
    condition     = contains(["prod", "staging"], var.environment)
    error_message = "environment must be prod or staging."
  }
}

variable "domain_name" {
  type        = string
  description = "Domain the dashboard and API answer on."
  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be a lower-case domain name."
  }
}

variable "create_dns_zone" {
  type        = bool
  description = "Create the Route 53 zone (then delegate it at the registrar) or use an existing zone."
  default     = true
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC."
  default     = "10.0.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a CIDR block."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Two availability zones of the region."
  default     = ["ca-central-1a", "ca-central-1b"]
  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Give exactly two availability zones."
  }
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "Public subnets (ALB, tasks), one per availability zone."
  default     = ["10.0.1.0/24", "10.0.2.0/24"]
  validation {
    condition     = length(var.public_subnet_cidrs) == 2 && alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Give two CIDR blocks."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "Private subnets (RDS, ElastiCache), one per availability zone."
  default     = ["10.0.10.0/24", "10.0.11.0/24"]
  validation {
    condition     = length(var.private_subnet_cidrs) == 2 && alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Give two CIDR blocks."
  }
}

variable "image_repository_prefix" {
  type        = string
  description = "Prefix of the shared ECR repositories made by terraform/bootstrap (<prefix>/nginx, <prefix>/worker)."
  default     = "mtw"
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", var.image_repository_prefix))
    error_message = "image_repository_prefix must be lower-case letters, digits, _ and -."
  }
}

variable "image_tag" {
  type        = string
  description = "Image tag of the first task definitions (a release version such as 1.4.0). Later deploys set the tag themselves; latest is refused."
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be an immutable tag (a version or a commit SHA), never latest."
  }
}

variable "nginx_cpu" {
  type        = number
  description = "Fargate CPU units of an nginx task (the CPU/memory pair is validated by the ecs-service module)."
  default     = 256
}

variable "nginx_memory" {
  type        = number
  description = "Memory of an nginx task in MiB."
  default     = 512
}

variable "nginx_min_tasks" {
  type        = number
  description = "Fewest nginx tasks; 2 or more spreads them over both availability zones."
  default     = 2
  validation {
    condition     = var.nginx_min_tasks >= 1 && var.nginx_min_tasks <= var.nginx_max_tasks
    error_message = "nginx_min_tasks must be at least 1 and at most nginx_max_tasks."
  }
}

variable "nginx_max_tasks" {
  type        = number
  description = "Most nginx tasks autoscaling may run."
  default     = 3
  validation {
    condition     = var.nginx_max_tasks >= 1 && var.nginx_max_tasks <= 10
    error_message = "nginx_max_tasks must be 1 to 10."
  }
}

variable "nginx_cpu_target" {
  type        = number
  description = "Target average CPU (%) of the nginx service."
  default     = 60
  validation {
    condition     = var.nginx_cpu_target >= 20 && var.nginx_cpu_target <= 90
    error_message = "nginx_cpu_target must be 20 to 90."
  }
}

variable "nginx_requests_per_target" {
  type        = number
  description = "Target ALB requests per nginx task per minute."
  default     = 6000
  validation {
    condition     = var.nginx_requests_per_target >= 100
    error_message = "nginx_requests_per_target must be at least 100."
  }
}

variable "worker_cpu" {
  type        = number
  description = "Fargate CPU units of a worker task (the CPU/memory pair is validated by the ecs-service module)."
  default     = 256
}

variable "worker_memory" {
  type        = number
  description = "Memory of a worker task in MiB."
  default     = 512
}

variable "worker_count" {
  type        = number
  description = "Worker tasks: 1 (regular Fargate); 2 adds a standby on Fargate Spot that takes a city over when the active worker's Redis lease expires."
  default     = 1
  validation {
    condition     = var.worker_count >= 1 && var.worker_count <= 2
    error_message = "worker_count must be 1 or 2."
  }
}


variable "rds_instance_class" {
  type        = string
  description = "RDS PostgreSQL instance class."
  default     = "db.t4g.micro"
  validation {
    condition     = startswith(var.rds_instance_class, "db.")
    error_message = "rds_instance_class must be an RDS class."
  }
}

variable "rds_allocated_storage" {
  type        = number
  description = "Initial gp3 storage (GB)."
  default     = 20
  validation {
    condition     = var.rds_allocated_storage >= 20 && var.rds_allocated_storage <= var.rds_max_allocated_storage
    error_message = "rds_allocated_storage must be at least 20 GB and at most rds_max_allocated_storage."
  }
}

variable "rds_max_allocated_storage" {
  type        = number
  description = "Storage autoscaling ceiling (GB)."
  default     = 100
  validation {
    condition     = var.rds_max_allocated_storage >= 20 && var.rds_max_allocated_storage <= 1000
    error_message = "rds_max_allocated_storage must be 20 to 1000 GB."
  }
}

variable "rds_multi_az" {
  type        = bool
  description = "Multi-AZ standby for RDS (about +13 USD/month)."
  default     = false
}

variable "rds_backup_retention_days" {
  type        = number
  description = "Days of automated RDS backups."
  default     = 7
  validation {
    condition     = var.rds_backup_retention_days >= 7 && var.rds_backup_retention_days <= 35
    error_message = "Keep 7 to 35 days of backups."
  }
}

variable "database_name" {
  type        = string
  description = "Application database name."
  default     = "mtw"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be a lower-case identifier."
  }
}

variable "database_username" {
  type        = string
  description = "RDS master user name: owns the schema, runs migrations; its password is RDS's own, in Secrets Manager."
  default     = "mtw_admin"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.database_username)) && var.database_username != "postgres"
    error_message = "database_username must be a short lower-case identifier other than postgres."
  }
}

variable "database_app_username" {
  type        = string
  description = "PostgreSQL role the worker logs in as (DML only; created by mtw-worker migrate)."
  default     = "mtw_app"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.database_app_username)) && !contains(["postgres", "rdsadmin"], var.database_app_username)
    error_message = "database_app_username must be a short lower-case identifier, not a built-in role."
  }
}

variable "database_app_secret_version" {
  type        = number
  description = "Bump to draw and write a new password of the application role (then run migrate: docs/runbooks/rotate-secrets.md)."
  default     = 1
  validation {
    condition     = var.database_app_secret_version >= 1
    error_message = "database_app_secret_version starts at 1."
  }
}

variable "redis_auth_secret_version" {
  type        = number
  description = "Bump to draw a new Redis AUTH token (ElastiCache rotates: old and new both work until the next change)."
  default     = 1
  validation {
    condition     = var.redis_auth_secret_version >= 1
    error_message = "redis_auth_secret_version starts at 1."
  }
}

variable "redis_node_type" {
  type        = string
  description = "ElastiCache node type."
  default     = "cache.t4g.micro"
  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "redis_node_type must be an ElastiCache node type."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of every CloudWatch log group (days)."
  default     = 7
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30], var.log_retention_days)
    error_message = "log_retention_days must be 1, 3, 5, 7, 14 or 30."
  }
}

variable "city" {
  type        = string
  description = "Slug of the city the worker serves (MTW_CITY)."
  default     = "saskatoon"
  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.city))
    error_message = "city must be a slug: [a-z0-9-]{1,32}."
  }
}

variable "city_timezone" {
  type        = string
  description = "IANA time zone of the city (MTW_TZ)."
  default     = "America/Regina"
  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)+$", var.city_timezone))
    error_message = "city_timezone must be an IANA zone such as America/Regina."
  }
}

variable "feed_urls" {
  type = object({
    vehicles = string
    trips    = string
    alerts   = string
  })
  description = "GTFS-Realtime feed URLs (public; a feed that needs a key in its URL goes in an SSM SecureString instead, see docs/runbooks/rotate-secrets.md)."
  validation {
    condition     = alltrue([for u in values(var.feed_urls) : can(regex("^https?://", u))])
    error_message = "Every feed URL must be http:// or https://."
  }
}

variable "poll_sec" {
  type        = number
  description = "Vehicle feed poll period in seconds (MTW_POLL_SEC)."
  default     = 12
  validation {
    condition     = var.poll_sec >= 5 && var.poll_sec <= 120
    error_message = "poll_sec must be 5 to 120."
  }
}

variable "alert_email" {
  type        = string
  description = "E-mail subscribed to alarms and the budget (empty: none)."
  default     = ""
  validation {
    condition     = var.alert_email == "" || can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address or empty."
  }
}

variable "monthly_budget_usd" {
  type        = number
  description = "Monthly AWS budget (USD) that alerts at 80 % and 100 %."
  default     = 100
  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be positive."
  }
}

variable "github_repository" {
  type        = string
  description = "owner/name of the GitHub repository whose deploy workflows may assume the deploy role (OIDC)."
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_environment" {
  type        = string
  description = "GitHub environment the deploy jobs run in; only those jobs may assume the deploy role."
  default     = "production"
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.github_environment))
    error_message = "github_environment must be a GitHub environment name."
  }
}
