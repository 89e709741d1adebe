# rds - PostgreSQL, the system of record: private subnets only, encrypted
# gp3 storage growing from 20 to 100 GB on its own, 7 days of backups and
# point-in-time recovery, deletion protection and a final snapshot, TLS
# required (rds.force_ssl) under the RSA 2048 G1 CA, which the worker image
# carries (its RDS CA bundle) for sslmode=verify-full.
#
# The master password is RDS's own: manage_master_user_password keeps it
# in a Secrets Manager secret RDS creates and rotates, so no password is in
# this configuration, its plan or its state.  The master user owns the
# schema and runs the migrations (the worker's admin task); the worker
# itself logs in as a least-privilege role (modules/stack/secrets.tf).

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_db_parameter_group" "this" {
  name   = "${var.name}-pg${var.engine_version}"
  family = "postgres${var.engine_version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
}

# created before the instance so the exported logs get a retention
resource "aws_cloudwatch_log_group" "postgresql" {
  name              = "/aws/rds/instance/${var.name}/postgresql"
  retention_in_days = var.log_retention_days
}

resource "aws_db_instance" "this" {
  identifier                      = var.name
  engine                          = "postgres"
  engine_version                  = var.engine_version
  instance_class                  = var.instance_class
  allocated_storage               = var.allocated_storage
  max_allocated_storage           = var.max_allocated_storage
  storage_type                    = "gp3"
  storage_encrypted               = true
  db_name                         = var.database_name
  username                        = var.username
  manage_master_user_password     = true
  ca_cert_identifier              = var.ca_cert_identifier
  port                            = 5432
  multi_az                        = var.multi_az
  publicly_accessible             = false
  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [var.security_group_id]
  parameter_group_name            = aws_db_parameter_group.this.name
  backup_retention_period         = var.backup_retention_days
  backup_window                   = "03:00-04:00"
  maintenance_window              = "sun:04:30-sun:05:30"
  copy_tags_to_snapshot           = true
  deletion_protection             = true
  skip_final_snapshot             = false
  final_snapshot_identifier       = "${var.name}-final"
  auto_minor_version_upgrade      = true
  enabled_cloudwatch_logs_exports = ["postgresql"]

  depends_on = [aws_cloudwatch_log_group.postgresql]
}
