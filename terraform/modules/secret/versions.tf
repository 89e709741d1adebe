terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
      # Secrets Manager through its own provider configuration (the same
      # account and region): a mocked plan cannot draw an ephemeral value
      # (Terraform 1.11), so the plan test gives this one a real provider
      # and replaces the module's outputs
      configuration_aliases = [aws.secrets]
    }
  }
}
