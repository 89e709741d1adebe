variable "domain_name" {
  type        = string
  description = "Domain the service answers on (apex), e.g. mindthewait.example."
  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be a lower-case domain name."
  }
}

variable "create_zone" {
  type        = bool
  description = "Create the Route 53 hosted zone (true) or use an existing one of that name (false)."
  default     = true
}

variable "alb_dns_name" {
  type        = string
  description = "DNS name of the ALB the records point at."
}

variable "alb_zone_id" {
  type        = string
  description = "Hosted zone of the ALB (alias target)."
}
