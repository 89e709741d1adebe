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

output "tasks_security_group_id" {
  description = "Security group of the ECS tasks."
  value       = aws_security_group.tasks.id
}

output "rds_security_group_id" {
  description = "Security group of RDS."
  value       = aws_security_group.rds.id
}

output "redis_security_group_id" {
  description = "Security group of ElastiCache."
  value       = aws_security_group.redis.id
}
