# One Custom Labels region: the training and output buckets Rekognition reads and writes with
# the caller's S3 permissions, the inference Lambda (inference.tf) and the internet-facing ALB in its own
# VPC that Global Accelerator routes to (network.tf, alb.tf).

locals {
  training_bucket_arn = "arn:${var.partition}:s3:::${var.training_bucket_name}"
  output_bucket_arn   = "arn:${var.partition}:s3:::${var.output_bucket_name}"

  # No Rekognition service-principal grants: Custom Labels reads the training data and writes the
  # output with the caller's (the worker role's) S3 permissions. The bucket policy is the TLS-only deny.
  training_bucket_statements = []
  output_bucket_statements   = []

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
  force_destroy                      = true # a replica of the management bucket
}

module "output_bucket" {
  source = "../s3_bucket"

  bucket_name                        = var.output_bucket_name
  partition                          = var.partition
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  policy_statements                  = local.output_bucket_statements
  force_destroy                      = true # training output, rebuilt by the next training
}
