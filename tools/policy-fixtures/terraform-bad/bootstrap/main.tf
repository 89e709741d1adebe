# default-tags: no default_tags
provider "aws" {
  region = "ca-central-1"
}

# bootstrap-state: versioning suspended, no encryption, no public access
# block, lock table not keyed by LockID
resource "aws_s3_bucket_versioning" "state" {
  bucket = "state"
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_dynamodb_table" "locks" {
  name     = "locks"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
}
