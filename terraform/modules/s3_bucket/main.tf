# A private, versioned, encrypted bucket that refuses plain HTTP, with the seed's 1-day expiry of
# noncurrent versions (deleting a dataset in the management bucket thus cleans every region).

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Server access logs would need a log bucket per region (and one for the log buckets); no trail is created here, so object-level auditing is the account's CloudTrail S3 data events if the operator turns them on.
  #checkov:skip=CKV_AWS_144:Cross-region replication is configured where it is meant to be: management bucket -> regional buckets (module management). Regional buckets are the destinations.
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) on purpose: with SSE-KMS the replication role and the worker (Custom Labels reads and writes with the caller's permissions) would each need key grants in every region; objects are still encrypted at rest.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events: workflows poll replication status and Rekognition.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

locals {
  bucket_arn  = "arn:${var.partition}:s3:::${var.bucket_name}"
  objects_arn = "${local.bucket_arn}/*"

  deny_insecure_transport = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = [local.bucket_arn, local.objects_arn]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }

  policy = {
    Version   = "2012-10-17"
    Statement = concat([local.deny_insecure_transport], var.policy_statements)
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode(local.policy)

  # A bucket policy naming a service principal is not public, but apply it after the block anyway.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
