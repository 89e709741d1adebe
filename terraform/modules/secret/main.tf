# secret - a Secrets Manager secret whose value Terraform never keeps: it is
# drawn by Secrets Manager through an ephemeral resource (gone after the
# run) and written with a write-only argument (secret_string_wo), so
# neither the plan nor the state holds it.  A new `value_version` draws and
# writes a new value (docs/runbooks/rotate-secrets.md).
#
# The value is letters and digits only (ElastiCache refuses @, " and / in
# an AUTH token; libpq URLs and ECS JSON keys need no escaping); with
# `username` set it is the JSON {"username": ..., "password": ...} RDS's own
# secrets use, so an ECS secret picks the password with ":password::".

ephemeral "aws_secretsmanager_random_password" "this" {
  provider            = aws.secrets
  password_length     = var.length
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "this" {
  provider                = aws.secrets
  name                    = var.name
  description             = var.description
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "this" {
  provider  = aws.secrets
  secret_id = aws_secretsmanager_secret.this.id
  secret_string_wo = var.username == null ? ephemeral.aws_secretsmanager_random_password.this.random_password : jsonencode({
    username = var.username
    password = ephemeral.aws_secretsmanager_random_password.this.random_password
  })
  secret_string_wo_version = var.value_version
}
