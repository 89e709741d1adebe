# State in the bucket and lock table made by terraform/bootstrap.
terraform {
  backend "s3" {
    bucket         = "mtw-terraform-state"
    key            = "staging/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "mtw-terraform-locks"
    encrypt        = true
  }
}
