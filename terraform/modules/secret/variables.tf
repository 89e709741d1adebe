variable "name" {
  type        = string
  description = "Name of the secret, e.g. mtw-prod/redis/auth-token."
}

variable "description" {
  type        = string
  description = "What the secret is and who receives it."
}

variable "length" {
  type        = number
  description = "Length of the drawn value."
  default     = 40
  validation {
    condition     = var.length >= 32 && var.length <= 128
    error_message = "length must be 32 to 128."
  }
}

variable "username" {
  type        = string
  description = "null: the secret is the bare value; a name: the JSON {username, password}."
  default     = null
}

variable "value_version" {
  type        = number
  description = "Version of the value: a new number draws and writes a new one."
  default     = 1
  validation {
    condition     = var.value_version >= 1
    error_message = "value_version starts at 1."
  }
}
