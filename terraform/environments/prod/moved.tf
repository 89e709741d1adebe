# Addresses of the days when this root composed the modules itself (before
# modules/stack): the same objects, now one level down, so an apply moves
# them in the state and recreates nothing.  staging/moved.tf is a link to
# this file.  Before the first plan of an environment applied with that
# layout, drop the generated password from the state (the random provider
# is gone): terraform/README.md, "Upgrading an environment made before the
# shared stack".

moved {
  from = module.networking
  to   = module.stack.module.networking
}

moved {
  from = module.dns
  to   = module.stack.module.dns
}

moved {
  from = module.alb
  to   = module.stack.module.alb
}

moved {
  from = module.rds
  to   = module.stack.module.rds
}

moved {
  from = module.elasticache
  to   = module.stack.module.elasticache
}

moved {
  from = module.ecs_cluster
  to   = module.stack.module.ecs_cluster
}

moved {
  from = module.nginx
  to   = module.stack.module.nginx
}

moved {
  from = module.worker
  to   = module.stack.module.worker
}

moved {
  from = module.monitoring
  to   = module.stack.module.monitoring
}

moved {
  from = aws_iam_role.deploy
  to   = module.stack.aws_iam_role.deploy
}

moved {
  from = aws_iam_role_policy.deploy
  to   = module.stack.aws_iam_role_policy.deploy
}

# the per-environment image repositories gave way to the shared ones of
# terraform/bootstrap; the old ones (and their images) stay in the account
# until deleted by hand
removed {
  from = module.ecr
  lifecycle {
    destroy = false
  }
}
