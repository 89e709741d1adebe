# Secrets the tasks receive as ECS secrets (never plain environment values),
# drawn and written by modules/secret so Terraform never keeps their value.
# The RDS master password is RDS's own (manage_master_user_password, in the
# rds module).
#
# The one value in the state is the Redis AUTH token: ElastiCache takes it
# through auth_token, which has no write-only form, so the replication
# group's state entry holds it (sensitive; the state bucket is encrypted,
# private and TLS-only: terraform/bootstrap).

module "redis_auth" {
  source        = "../secret"
  providers     = { aws.secrets = aws.secrets }
  name          = "${local.name}/redis/auth-token"
  description   = "AUTH token of the ${local.name} ElastiCache Redis (ECS secret MTW_REDIS_PASSWORD of nginx and the worker)."
  length        = 64
  value_version = var.redis_auth_secret_version
}

data "aws_secretsmanager_secret_version" "redis_auth" {
  secret_id  = module.redis_auth.arn
  version_id = module.redis_auth.version_id
}

# The worker logs in as var.database_app_username: DML on the schema's
# tables, no DDL, not the owner.  `mtw-worker migrate`, run by the deploy as
# the owner (the worker's admin task definition), creates the role and sets
# its password from this secret.
module "database_app" {
  source        = "../secret"
  providers     = { aws.secrets = aws.secrets }
  name          = "${local.name}/database/app"
  description   = "Login of the ${local.name} worker's PostgreSQL role (JSON username, password; ECS secret PGPASSWORD)."
  username      = var.database_app_username
  value_version = var.database_app_secret_version
}
