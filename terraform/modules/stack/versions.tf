terraform {
  # write-only arguments and ephemeral resources (secrets.tf)
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
      # aws.secrets: Secrets Manager's values (modules/secret)
      configuration_aliases = [aws.secrets]
    }
  }
}
