# Staging: the shared stack (modules/stack), smaller, in its own VPC.  What
# an operator sets per account is in variables.tf (terraform.tfvars); what
# makes this environment staging is written here: one nginx task, no
# autoscaling headroom.

module "stack" {
  source    = "../../modules/stack"
  providers = { aws = aws, aws.secrets = aws.secrets }

  environment          = "staging"
  aws_region           = var.aws_region
  domain_name          = var.domain_name
  create_dns_zone      = var.create_dns_zone
  availability_zones   = var.availability_zones
  vpc_cidr             = "10.1.0.0/16"
  public_subnet_cidrs  = ["10.1.1.0/24", "10.1.2.0/24"]
  private_subnet_cidrs = ["10.1.10.0/24", "10.1.11.0/24"]
  image_tag            = var.image_tag

  nginx_min_tasks = 1
  nginx_max_tasks = 1
  worker_count    = 1
  rds_multi_az    = false

  city          = var.city
  city_timezone = var.city_timezone
  feed_urls     = var.feed_urls

  alert_email        = var.alert_email
  monthly_budget_usd = 60
  github_repository  = var.github_repository
  github_environment = "staging"
}
