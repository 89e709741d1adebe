variable "name" {
  type        = string
  description = "Identifier of the instance and prefix of its resources, e.g. mtw-prod."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the DB subnet group."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the instance (5432 from the tasks only)."
}

variable "instance_class" {
  type        = string
  description = "RDS instance class."
  default     = "db.t4g.micro"
  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS class such as db.t4g.micro."
  }
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL major version."
  default     = "16"
}

variable "allocated_storage" {
  type        = number
  description = "Initial gp3 storage in GB."
  default     = 20
  validation {
    condition     = var.allocated_storage >= 20
    error_message = "gp3 needs at least 20 GB."
  }
}

variable "max_allocated_storage" {
  type        = number
  description = "Storage autoscaling ceiling in GB."
  default     = 100
}

variable "multi_az" {
  type        = bool
  description = "Standby in a second availability zone (doubles the instance cost)."
  default     = false
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups (point-in-time recovery window)."
  default     = 7
  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "Keep 7 to 35 days of backups."
  }
}

variable "database_name" {
  type        = string
  description = "Name of the application database."
}

variable "username" {
  type        = string
  description = "Master user name."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the exported PostgreSQL log group."
  default     = 7
}

variable "ca_cert_identifier" {
  type        = string
  description = "CA of the server certificate; the worker image's RDS CA bundle must hold its root (sslmode=verify-full)."
  default     = "rds-ca-rsa2048-g1"
  validation {
    condition     = startswith(var.ca_cert_identifier, "rds-ca-")
    error_message = "ca_cert_identifier must be an RDS CA such as rds-ca-rsa2048-g1."
  }
}
