variable "repository_names" {
  type        = list(string)
  description = "ECR repositories to create, e.g. [\"mtw/nginx\", \"mtw/worker\"]."
  validation {
    condition     = alltrue([for n in var.repository_names : can(regex("^[a-z0-9][a-z0-9/_.-]*$", n))])
    error_message = "Repository names are lower-case letters, digits, /, _, . and -."
  }
}

variable "keep_images" {
  type        = number
  description = "Release images (version tags) kept per repository; older ones expire (a rollback can reach this far back)."
  default     = 10
  validation {
    condition     = var.keep_images >= 3 && var.keep_images <= 1000
    error_message = "Keep between 3 and 1000 images."
  }
}

variable "keep_builds" {
  type        = number
  description = "Builds of main (commit tags only) kept per repository besides the releases."
  default     = 30
  validation {
    condition     = var.keep_builds >= 3 && var.keep_builds <= 1000
    error_message = "Keep between 3 and 1000 builds."
  }
}
