# One Custom Labels region: the training and output buckets Rekognition reads and writes
# (buckets.tf), the inference Lambda (inference.tf) and the internet-facing ALB in its own
# VPC that Global Accelerator routes to (network.tf, alb.tf).

locals {
  training_bucket_arn = "arn:${var.partition}:s3:::${var.training_bucket_name}"
  output_bucket_arn   = "arn:${var.partition}:s3:::${var.output_bucket_name}"

  rekognition = { Service = "rekognition.amazonaws.com" }

  # The seed's grants: Rekognition reads the training data (and the manifest) ...
  training_bucket_statements = [
    {
      Sid       = "RekognitionReadBucket"
      Effect    = "Allow"
      Principal = local.rekognition
      Action    = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
      Resource  = local.training_bucket_arn
    },
    {
      Sid       = "RekognitionReadObjects"
      Effect    = "Allow"
      Principal = local.rekognition
      Action    = ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:GetObjectTagging"]
      Resource  = "${local.training_bucket_arn}/*"
    },
  ]

  # ... and writes the training output, handing the objects to the bucket owner.
  output_bucket_statements = [
    {
      Sid       = "RekognitionReadBucketAcl"
      Effect    = "Allow"
      Principal = local.rekognition
      Action    = "s3:GetBucketAcl"
      Resource  = local.output_bucket_arn
    },
    {
      Sid       = "RekognitionWriteOutput"
      Effect    = "Allow"
      Principal = local.rekognition
      Action    = "s3:PutObject"
      Resource  = "${local.output_bucket_arn}/*"
      Condition = { StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control" } }
    },
  ]

  # ALB and target group names: at most 32 characters, so the region goes in as a short code.
  alb_name          = "${substr(var.name_prefix, 0, 32 - length("-alb-${var.region_code}"))}-alb-${var.region_code}"
  target_group_name = "${substr(var.name_prefix, 0, 32 - length("-tg-${var.region_code}"))}-tg-${var.region_code}"
  function_name     = "${var.name_prefix}-inference"
}

module "training_bucket" {
  source = "../s3_bucket"

  bucket_name                        = var.training_bucket_name
  partition                          = var.partition
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  policy_statements                  = local.training_bucket_statements
}

module "output_bucket" {
  source = "../s3_bucket"

  bucket_name                        = var.output_bucket_name
  partition                          = var.partition
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  policy_statements                  = local.output_bucket_statements
}
