output "arn" {
  description = "ARN of the secret (ECS secrets valueFrom)."
  value       = aws_secretsmanager_secret.this.arn
}

output "name" {
  description = "Name of the secret."
  value       = aws_secretsmanager_secret.this.name
}

output "version_id" {
  description = "Id of the written version (read it back only after it exists)."
  value       = aws_secretsmanager_secret_version.this.version_id
}
