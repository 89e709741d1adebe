variable "aws_region" {
  type        = string
  description = "Region of the state bucket and lock table (the environments' backend region)."
  default     = "ca-central-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ca-central-1."
  }
}

variable "state_bucket_name" {
  type        = string
  description = "Globally unique name of the S3 bucket holding the Terraform state (environments/*/backend.tf)."
  default     = "mtw-terraform-state"
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "lock_table_name" {
  type        = string
  description = "Name of the DynamoDB table holding the Terraform state locks."
  default     = "mtw-terraform-locks"
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "lock_table_name must be a valid DynamoDB table name."
  }
}

variable "noncurrent_state_days" {
  type        = number
  description = "Days older state versions are kept (recovery from a bad apply)."
  default     = 90
  validation {
    condition     = var.noncurrent_state_days >= 30
    error_message = "Keep old state versions at least 30 days."
  }
}

variable "image_repository_prefix" {
  type        = string
  description = "Prefix of the shared ECR repositories <prefix>/nginx and <prefix>/worker (the environments' image_repository_prefix)."
  default     = "mtw"
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", var.image_repository_prefix))
    error_message = "image_repository_prefix must be lower-case letters, digits, _ and -."
  }
}
