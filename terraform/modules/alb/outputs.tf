output "dns_name" {
  description = "DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 zone of the ALB (for alias records)."
  value       = aws_lb.this.zone_id
}

output "arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch dimension LoadBalancer)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "ARN of the nginx target group, once a listener forwards to it (ECS refuses a service on a target group no load balancer uses)."
  value       = aws_lb_target_group.nginx.arn
  depends_on  = [aws_lb_listener.https]
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the nginx target group (CloudWatch dimension TargetGroup)."
  value       = aws_lb_target_group.nginx.arn_suffix
}
