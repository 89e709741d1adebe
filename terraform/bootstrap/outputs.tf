output "state_bucket" {
  description = "S3 bucket of the Terraform state (backend bucket)."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "DynamoDB lock table (backend dynamodb_table)."
  value       = aws_dynamodb_table.locks.name
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider."
  value       = aws_iam_openid_connect_provider.github.arn
}

output "ecr_repository_urls" {
  description = "URLs of the shared image repositories (ECR_REGISTRY is their host)."
  value       = module.ecr.repository_urls
}
