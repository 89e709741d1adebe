variable "backup_days" {
  type        = number
  description = "too few days"
  default     = 1
}

# var-typed-described: no type, no description
variable "subnet_ids" {}

# rds-protected, var-declared (var.undeclared), no-committed-secrets
resource "aws_db_instance" "db" {
  storage_encrypted       = false
  deletion_protection     = false
  publicly_accessible     = true
  skip_final_snapshot     = true
  storage_type            = "gp2"
  backup_retention_period = var.backup_days
  allocated_storage       = 5
  max_allocated_storage   = 5
  instance_class          = "db.m5.large"
  db_subnet_group_name    = var.undeclared
  password                = "hunter2"
}

# redis-protected: a standalone cluster, not encrypted
resource "aws_elasticache_cluster" "cache" {
  node_type = "cache.m5.large"
}

# sg-no-inline-rules
resource "aws_security_group" "tasks" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# sg-open-ingress-only-alb, sg-ingress-exact
resource "aws_vpc_security_group_ingress_rule" "tasks_open" {
  security_group_id = aws_security_group.tasks.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
}

# sg-egress-exact: the database may reach the internet
resource "aws_vpc_security_group_egress_rule" "rds_open" {
  security_group_id = aws_security_group.rds.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  from_port         = 0
  to_port           = 65535
}

# log-retention-7d
resource "aws_cloudwatch_log_group" "logs" {
  retention_in_days = 30
}

# ecr-repositories: mutable, no scanning, no lifecycle
resource "aws_ecr_repository" "repo" {
  image_tag_mutability = "MUTABLE"
}

# ecs-deploys-safe: no circuit breaker, no ECS Exec
resource "aws_ecs_service" "svc" {
  launch_type = "FARGATE"
}

# image-never-latest
resource "aws_ecs_task_definition" "task" {
  container_definitions = "[{\"image\": \"repo/worker:latest\"}]"
}

# alb-listeners: 80 forwards, no 443, no target group
resource "aws_lb_listener" "http" {
  port     = 80
  protocol = "HTTP"
  default_action {
    type = "forward"
  }
}

# alarms: RunningTaskCount in AWS/ECS (never published there), no actions
resource "aws_cloudwatch_metric_alarm" "no_tasks" {
  namespace   = "AWS/ECS"
  metric_name = "RunningTaskCount"
  threshold   = 0
}

# budget: yearly, 500
resource "aws_budgets_budget" "budget" {
  limit_amount = "500"
  limit_unit   = "USD"
  time_unit    = "ANNUALLY"
}

# local-declared
output "name" {
  value = local.nope
}

# no-secret-in-state: a generated password and a secret value in the state
resource "random_password" "master" {
  length = 16
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = "db"
  secret_string = random_password.master.result
}
