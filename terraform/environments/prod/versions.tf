terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "mind-the-wait"
      Environment = "prod"
      ManagedBy   = "terraform"
    }
  }
}

# the same account and region for the secrets' values (modules/secret): a
# configuration of its own so the mocked plan test (tests/) can give it a
# real provider, since mock providers cannot draw ephemeral values
provider "aws" {
  alias  = "secrets"
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "mind-the-wait"
      Environment = "prod"
      ManagedBy   = "terraform"
    }
  }
}
