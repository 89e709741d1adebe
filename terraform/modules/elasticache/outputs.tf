output "endpoint" {
  description = "Primary endpoint host name."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "cache_cluster_id" {
  description = "Id of the node (CloudWatch dimension CacheClusterId)."
  value       = tolist(aws_elasticache_replication_group.this.member_clusters)[0]
}
