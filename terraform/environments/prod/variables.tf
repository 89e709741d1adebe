# What an operator sets per account (terraform.tfvars; the example is
# terraform.tfvars.example).  Validated where they are used: the stack's
# variables (modules/stack/variables.tf).  staging/variables.tf is a link
# to this file: both environments take the same inputs.

variable "aws_region" {
  type        = string
  description = "The one region everything runs in."
  default     = "ca-central-1"
}

variable "domain_name" {
  type        = string
  description = "Domain the dashboard and API answer on."
}

variable "create_dns_zone" {
  type        = bool
  description = "Create the Route 53 zone (then delegate it at the registrar) or use an existing zone."
  default     = true
}

variable "availability_zones" {
  type        = list(string)
  description = "Two availability zones of the region."
  default     = ["ca-central-1a", "ca-central-1b"]
}

variable "image_tag" {
  type        = string
  description = "Image tag of the first task definitions (a release version such as 1.4.0, or a commit SHA). Later deploys pin images by digest themselves; latest is refused."
}

variable "city" {
  type        = string
  description = "Slug of the city the worker serves (MTW_CITY)."
  default     = "saskatoon"
}

variable "city_timezone" {
  type        = string
  description = "IANA time zone of the city (MTW_TZ)."
  default     = "America/Regina"
}

variable "feed_urls" {
  type = object({
    vehicles = string
    trips    = string
    alerts   = string
  })
  description = "GTFS-Realtime feed URLs."
}

variable "alert_email" {
  type        = string
  description = "E-mail subscribed to alarms and the budget (empty: none)."
  default     = ""
}

variable "github_repository" {
  type        = string
  description = "owner/name of the GitHub repository whose deploy workflow may assume the deploy role (OIDC)."
}
