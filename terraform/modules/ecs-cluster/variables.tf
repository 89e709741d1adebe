variable "name" {
  type        = string
  description = "Name of the ECS cluster, e.g. mtw-prod."
}

variable "secret_arns" {
  type        = list(string)
  description = "SSM parameters and Secrets Manager secrets the tasks receive as ECS secrets; the execution role may read these and nothing else."
  validation {
    condition     = alltrue([for a in var.secret_arns : startswith(a, "arn:")])
    error_message = "secret_arns must be ARNs."
  }
}
