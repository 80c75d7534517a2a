# The naming rule shared with configuration/names.py (docs/CONTRACTS.md): change both together.
locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  management_bucket_name = "${var.name_prefix}-mgmt-${local.account_id}-${var.management_region}"
  training_bucket_names  = { for region in var.regions : region => "${var.name_prefix}-train-${local.account_id}-${region}" }
  output_bucket_names    = { for region in var.regions : region => "${var.name_prefix}-output-${local.account_id}-${region}" }
  topic_name             = "${var.name_prefix}-notifications"

  # Every region that offers Custom Labels, in the seed's order. A region's index is its replication
  # rule priority, so priorities stay unique and stable when regions are added or removed.
  custom_labels_regions = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"]

  # Short codes keep ALB and target group names within 32 characters.
  region_codes = {
    "us-east-1"      = "use1"
    "us-east-2"      = "use2"
    "us-west-2"      = "usw2"
    "eu-west-1"      = "euw1"
    "eu-west-2"      = "euw2"
    "eu-central-1"   = "euc1"
    "ap-south-1"     = "aps1"
    "ap-southeast-1" = "apse1"
    "ap-southeast-2" = "apse2"
    "ap-northeast-1" = "apne1"
    "ap-northeast-2" = "apne2"
  }

  # The projects the public endpoint (and so the Lambda role) and the worker may touch: project_name + the allow-list.
  served_projects = distinct(concat([var.project_name], var.inference_extra_projects))

  lambda_zip_path = coalesce(var.lambda_zip_path, "${path.module}/../build/inference-lambda.zip")

  use_local_endpoint = var.aws_endpoint_url != null

  tags = merge({ Project = var.name_prefix }, var.tags)
}
