output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnets (ALB, ECS tasks)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (RDS, ElastiCache)."
  value       = aws_subnet.private[*].id
}

output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "nginx_security_group_id" {
  description = "Security group of the nginx tasks (Redis only)."
  value       = aws_security_group.nginx.id
}

output "worker_security_group_id" {
  description = "Security group of the worker tasks (Redis, PostgreSQL, the internet)."
  value       = aws_security_group.worker.id
}

output "rds_security_group_id" {
  description = "Security group of RDS."
  value       = aws_security_group.rds.id
}

output "redis_security_group_id" {
  description = "Security group of ElastiCache."
  value       = aws_security_group.redis.id
}
