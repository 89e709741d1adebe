output "endpoint" {
  description = "host:port of the instance."
  value       = aws_db_instance.this.endpoint
}

output "address" {
  description = "Host name of the instance."
  value       = aws_db_instance.this.address
}

output "instance_id" {
  description = "Identifier of the instance (CloudWatch dimension DBInstanceIdentifier)."
  value       = aws_db_instance.this.identifier
}

output "password_parameter_arn" {
  description = "ARN of the SSM SecureString holding the master password."
  value       = aws_ssm_parameter.master_password.arn
}

output "password_parameter_name" {
  description = "Name of the SSM SecureString holding the master password."
  value       = aws_ssm_parameter.master_password.name
}
