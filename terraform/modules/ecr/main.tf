# ecr - one repository per image, shared by staging and production (made
# by terraform/bootstrap): every merge to main pushes its build tagged with
# the commit SHA, staging runs it by digest, and a release promotes that
# same digest to production by adding the version tag.  Tags are immutable,
# never latest.  The last keep_images releases are kept (a rollback can go
# back that far) and the last keep_builds builds of main.

resource "aws_ecr_repository" "this" {
  for_each             = toset(var.repository_names)
  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = aws_ecr_repository.this
  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "keep the last releases (version tags)"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*.*.*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.keep_images
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "keep the last builds of main (commit tags)"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_builds
        }
        action = { type = "expire" }
      },
    ]
  })
}
