output "certificate_arn" {
  description = "ARN of the validated ACM certificate."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "zone_id" {
  description = "Route 53 hosted zone id."
  value       = local.zone_id
}

output "name_servers" {
  description = "Name servers to delegate the domain to at the registrar."
  value       = local.name_servers
}
