# elasticache - Redis for the published documents and live state: one node
# in the private subnets, encrypted at rest, no snapshots (Redis is rebuilt
# from PostgreSQL and the live feeds within a tick or two).
#
# In-transit encryption is required (TLS only, no plain port) and every
# connection must AUTH with the token from Secrets Manager: the nginx module
# speaks TLS through nginx's own SSL layer, the worker through OpenSSL
# (MTW_REDIS_* settings, terraform/README.md).  A token change rotates: the
# old and the new token both work until the next change, so running tasks
# keep their connections while the new task definitions roll out.  The
# cache is reachable only from the nginx and worker security groups.

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "${var.name} published documents and live state"
  engine                     = "redis"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  num_cache_clusters         = 1
  port                       = 6379
  parameter_group_name       = "default.redis7"
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [var.security_group_id]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  auth_token                 = var.auth_token
  auth_token_update_strategy = "ROTATE"
  automatic_failover_enabled = false
  snapshot_retention_limit   = 0
  maintenance_window         = "sun:05:30-sun:06:30"
}
