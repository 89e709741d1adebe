# backend-s3: not encrypted, no lock table
terraform {
  backend "s3" {
    bucket  = "state"
    key     = "same"
    encrypt = false
  }
}

provider "aws" {
  region = "ca-central-1"
}

# var-validated, image-never-latest: an image tag that may be latest
variable "image_tag" {
  type        = string
  description = "tag"
}

# module-args: unknown argument, required subnet_ids not passed;
# data-stores-private: no private subnets
module "db" {
  source      = "../../modules/rds"
  unknown_arg = 1
}

# module-outputs
output "endpoint" {
  value = module.db.nothing
}

# ecs-secrets-not-plain; nginx-autoscaling: no scaling at all
module "worker" {
  source      = "../../modules/ecs-service"
  image       = "repo:${var.image_tag}"
  environment = { DB_PASSWORD = "x", MTW_DATABASE_URL = "postgresql://u:p@h/db" }
}

# budget: 500
module "monitoring" {
  source           = "../../modules/monitoring"
  budget_limit_usd = 500
}

# iam-least-privilege: wildcard actions, a resource-taking action on *
data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["ecs:*", "iam:PassRole"]
    resources = ["*"]
  }
}

# oidc-trust-scoped: any branch of any repository may assume the role
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:*"]
    }
  }
}
