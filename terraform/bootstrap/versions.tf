terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  # bootstrap keeps its own small state locally: it creates the backend
  # every other configuration stores its state in
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "mind-the-wait"
      Environment = "shared"
      ManagedBy   = "terraform"
    }
  }
}
