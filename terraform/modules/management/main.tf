# The management region: the bucket datasets are uploaded to, replicated to every regional
# training bucket (one rule per region, delete markers too), the notification topic and the
# least-privilege identity of the Temporal worker (worker.tf).

locals {
  bucket_arn = "arn:${var.partition}:s3:::${var.bucket_name}"
}

module "bucket" {
  source = "../s3_bucket"

  bucket_name                        = var.bucket_name
  partition                          = var.partition
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  # The datasets' source of truth: `terraform destroy` refuses while it holds objects (README: destroy).
  force_destroy = false
}

# ---------------------------------------------------------------------------------------------
# Replication: exactly the permissions S3 needs (source config + object versions, destination
# replicate actions), nothing else.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_role" "replication" {
  name        = "${var.name_prefix}-replication"
  path        = "/service-role/"
  description = "S3 replication of ${var.bucket_name} to the regional training buckets"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
}

locals {
  destination_arns = [for destination in values(var.replication_destinations) : destination.bucket_arn]

  replication_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ReadReplicationConfiguration"
          Effect   = "Allow"
          Action   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
          Resource = local.bucket_arn
        },
        {
          Sid      = "ReadSourceVersions"
          Effect   = "Allow"
          Action   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
          Resource = "${local.bucket_arn}/*"
        },
      ],
      length(local.destination_arns) == 0 ? [] : [
        {
          Sid      = "WriteReplicas"
          Effect   = "Allow"
          Action   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
          Resource = [for arn in local.destination_arns : "${arn}/*"]
        },
      ],
    )
  }

  # Sorted by priority so the plan is stable.
  replication_rules = [
    for region in sort(keys(var.replication_destinations)) : merge(var.replication_destinations[region], { region = region })
  ]
}

resource "aws_iam_role_policy" "replication" {
  name   = "replication"
  role   = aws_iam_role.replication.id
  policy = jsonencode(local.replication_policy)
}

resource "aws_s3_bucket_replication_configuration" "this" {
  count = length(local.replication_rules) == 0 ? 0 : 1

  bucket = module.bucket.name
  role   = aws_iam_role.replication.arn

  dynamic "rule" {
    for_each = local.replication_rules

    content {
      id       = "to-${rule.value.region}"
      priority = rule.value.priority
      status   = "Enabled"

      # An empty filter selects every object and is what makes delete-marker replication allowed.
      filter {}

      delete_marker_replication {
        status = "Enabled"
      }

      destination {
        bucket = rule.value.bucket_arn
      }
    }
  }

  # Versioning must be on at the source (module.bucket) and the destinations (their ARNs wait for it).
  depends_on = [aws_iam_role_policy.replication, module.bucket]
}

# ---------------------------------------------------------------------------------------------
# Notifications: every workflow publishes its result here.
# ---------------------------------------------------------------------------------------------

resource "aws_sns_topic" "notifications" {
  name              = var.topic_name
  kms_master_key_id = var.topic_kms_key_id
}
