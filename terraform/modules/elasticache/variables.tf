variable "name" {
  type        = string
  description = "Replication group id and prefix, e.g. mtw-prod."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets of the cache subnet group."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the cache (6379 from the tasks only)."
}

variable "node_type" {
  type        = string
  description = "ElastiCache node type."
  default     = "cache.t4g.micro"
  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache type such as cache.t4g.micro."
  }
}

variable "engine_version" {
  type        = string
  description = "Redis engine version."
  default     = "7.1"
}

variable "auth_token" {
  type        = string
  description = "Redis AUTH token (16-128 letters and digits), from Secrets Manager."
  sensitive   = true
  validation {
    condition     = can(regex("^[A-Za-z0-9]{16,128}$", var.auth_token))
    error_message = "auth_token must be 16 to 128 letters and digits."
  }
}
