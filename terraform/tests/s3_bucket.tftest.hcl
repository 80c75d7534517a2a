# Unit tests of modules/s3_bucket: private, versioned, encrypted, TLS only, seed's 1-day expiry.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "secure_bucket" {
  command = plan

  module {
    source = "./modules/s3_bucket"
  }

  variables {
    bucket_name = "gcl-train-123456789012-us-east-1"
    policy_statements = [{
      Sid       = "Extra"
      Effect    = "Allow"
      Principal = { Service = "rekognition.amazonaws.com" }
      Action    = "s3:GetBucketAcl"
      Resource  = "arn:aws:s3:::gcl-train-123456789012-us-east-1"
    }]
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == "gcl-train-123456789012-us-east-1"
    error_message = "Bucket name is taken as given."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access blocks must be on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (bucket owner enforced)."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be on (replication needs it)."
  }

  assert {
    condition     = one([for rule in aws_s3_bucket_server_side_encryption_configuration.this.rule : one(rule.apply_server_side_encryption_by_default).sse_algorithm]) == "AES256"
    error_message = "Default encryption must be on."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 1
    error_message = "Noncurrent versions expire after one day, as in the seed."
  }

  assert {
    condition = anytrue([for statement in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      statement.Effect == "Deny" && statement.Principal == "*" &&
    try(statement.Condition.Bool["aws:SecureTransport"], null) == "false"])
    error_message = "The policy must deny requests without TLS."
  }

  assert {
    condition     = [for statement in jsondecode(aws_s3_bucket_policy.this.policy).Statement : statement.Sid] == ["DenyInsecureTransport", "Extra"]
    error_message = "Extra statements are appended to the TLS-only deny."
  }

  assert {
    condition     = output.arn == "arn:aws:s3:::gcl-train-123456789012-us-east-1"
    error_message = "The ARN output is the bucket's ARN."
  }
}
