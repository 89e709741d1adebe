# Production: the shared stack (modules/stack) at production's size.  What
# an operator sets per account is in variables.tf (terraform.tfvars); what
# makes this environment production is written here.

module "stack" {
  source    = "../../modules/stack"
  providers = { aws = aws, aws.secrets = aws.secrets }

  environment          = "prod"
  aws_region           = var.aws_region
  domain_name          = var.domain_name
  create_dns_zone      = var.create_dns_zone
  availability_zones   = var.availability_zones
  vpc_cidr             = "10.0.0.0/16"
  public_subnet_cidrs  = ["10.0.1.0/24", "10.0.2.0/24"]
  private_subnet_cidrs = ["10.0.10.0/24", "10.0.11.0/24"]
  image_tag            = var.image_tag

  # two nginx tasks at least, one per zone (ECS spreads a service's
  # Fargate tasks over its subnets' zones), three at peaks
  nginx_min_tasks = 2
  nginx_max_tasks = 3
  worker_count    = 1
  rds_multi_az    = false

  city          = var.city
  city_timezone = var.city_timezone
  feed_urls     = var.feed_urls

  alert_email        = var.alert_email
  monthly_budget_usd = 130
  github_repository  = var.github_repository
  github_environment = "production"
}
