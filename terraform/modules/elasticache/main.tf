# elasticache - Redis for the published documents and live state: one node
# in the private subnets, encrypted at rest, no snapshots (Redis is rebuilt
# from PostgreSQL and the live feeds within a tick or two).
#
# In-transit encryption stays off: the nginx module's non-blocking hiredis
# client and the worker speak plain RESP, and ElastiCache AUTH requires
# in-transit encryption.  The cache is reachable only from the tasks'
# security group inside the VPC.

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
  transit_encryption_enabled = false
  automatic_failover_enabled = false
  snapshot_retention_limit   = 0
  maintenance_window         = "sun:05:30-sun:06:30"
}
