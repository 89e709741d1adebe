variable "name" {
  type        = string
  description = "Name prefix of every resource, e.g. mtw-prod."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC."
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a CIDR block such as 10.0.0.0/16."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread the subnets over (at least two: the ALB and RDS subnet groups need two)."
  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "One public subnet per availability zone: the ALB and the ECS tasks (public IP, no NAT gateway)."
  validation {
    condition     = alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every public subnet must be a CIDR block."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "One private subnet per availability zone: RDS and ElastiCache, no route to the internet."
  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every private subnet must be a CIDR block."
  }
}

variable "app_port" {
  type        = number
  description = "Port the nginx tasks listen on; the only port the ALB may reach."
  default     = 8080
}
