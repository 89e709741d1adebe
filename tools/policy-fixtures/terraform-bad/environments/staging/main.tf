# environments-alike: a different set of modules than prod
terraform {
  backend "s3" {
    bucket  = "state"
    key     = "same"
    encrypt = true
  }
}

module "db" {
  source = "../../modules/rds"
}
