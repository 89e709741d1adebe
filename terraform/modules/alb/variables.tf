variable "name" {
  type        = string
  description = "Name prefix, e.g. mtw-prod (ALB names are limited to 32 characters)."
  validation {
    condition     = length(var.name) <= 26
    error_message = "name must be at most 26 characters (ALB and target group name limits)."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the target group."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets of the ALB (two availability zones at least)."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the ALB (80/443 from anywhere)."
}

variable "certificate_arn" {
  type        = string
  description = "ARN of the validated ACM certificate for the HTTPS listener."
}

variable "target_port" {
  type        = number
  description = "Port of the nginx tasks."
  default     = 8080
}

variable "health_check_path" {
  type        = string
  description = "Target health check: /api/livez answers 200 when nginx runs and its Redis connection answers PING (never the worker's heartbeat)."
  default     = "/api/livez"
  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the ALB against deletion."
  default     = true
}
