output "repository_urls" {
  description = "Repository URLs by name."
  value       = { for n, r in aws_ecr_repository.this : n => r.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs by name."
  value       = { for n, r in aws_ecr_repository.this : n => r.arn }
}
