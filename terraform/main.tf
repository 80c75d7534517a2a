data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# ---------------------------------------------------------------------------------------------
# One module instance per Custom Labels region, enabled when var.regions lists the region.
# Each gets its region's aliased provider (see providers.tf).
# ---------------------------------------------------------------------------------------------

module "us_east_1" {
  source = "./modules/region"
  count  = contains(var.regions, "us-east-1") ? 1 : 0

  providers = {
    aws = aws.us_east_1
  }

  region      = "us-east-1"
  region_code = local.region_codes["us-east-1"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["us-east-1"]
  output_bucket_name                 = local.output_bucket_names["us-east-1"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "us-east-1", null)
}

module "us_east_2" {
  source = "./modules/region"
  count  = contains(var.regions, "us-east-2") ? 1 : 0

  providers = {
    aws = aws.us_east_2
  }

  region      = "us-east-2"
  region_code = local.region_codes["us-east-2"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["us-east-2"]
  output_bucket_name                 = local.output_bucket_names["us-east-2"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "us-east-2", null)
}

module "us_west_2" {
  source = "./modules/region"
  count  = contains(var.regions, "us-west-2") ? 1 : 0

  providers = {
    aws = aws.us_west_2
  }

  region      = "us-west-2"
  region_code = local.region_codes["us-west-2"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["us-west-2"]
  output_bucket_name                 = local.output_bucket_names["us-west-2"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "us-west-2", null)
}

module "eu_west_1" {
  source = "./modules/region"
  count  = contains(var.regions, "eu-west-1") ? 1 : 0

  providers = {
    aws = aws.eu_west_1
  }

  region      = "eu-west-1"
  region_code = local.region_codes["eu-west-1"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["eu-west-1"]
  output_bucket_name                 = local.output_bucket_names["eu-west-1"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "eu-west-1", null)
}

module "eu_west_2" {
  source = "./modules/region"
  count  = contains(var.regions, "eu-west-2") ? 1 : 0

  providers = {
    aws = aws.eu_west_2
  }

  region      = "eu-west-2"
  region_code = local.region_codes["eu-west-2"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["eu-west-2"]
  output_bucket_name                 = local.output_bucket_names["eu-west-2"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "eu-west-2", null)
}

module "eu_central_1" {
  source = "./modules/region"
  count  = contains(var.regions, "eu-central-1") ? 1 : 0

  providers = {
    aws = aws.eu_central_1
  }

  region      = "eu-central-1"
  region_code = local.region_codes["eu-central-1"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["eu-central-1"]
  output_bucket_name                 = local.output_bucket_names["eu-central-1"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "eu-central-1", null)
}

module "ap_south_1" {
  source = "./modules/region"
  count  = contains(var.regions, "ap-south-1") ? 1 : 0

  providers = {
    aws = aws.ap_south_1
  }

  region      = "ap-south-1"
  region_code = local.region_codes["ap-south-1"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["ap-south-1"]
  output_bucket_name                 = local.output_bucket_names["ap-south-1"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "ap-south-1", null)
}

module "ap_southeast_1" {
  source = "./modules/region"
  count  = contains(var.regions, "ap-southeast-1") ? 1 : 0

  providers = {
    aws = aws.ap_southeast_1
  }

  region      = "ap-southeast-1"
  region_code = local.region_codes["ap-southeast-1"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["ap-southeast-1"]
  output_bucket_name                 = local.output_bucket_names["ap-southeast-1"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "ap-southeast-1", null)
}

module "ap_southeast_2" {
  source = "./modules/region"
  count  = contains(var.regions, "ap-southeast-2") ? 1 : 0

  providers = {
    aws = aws.ap_southeast_2
  }

  region      = "ap-southeast-2"
  region_code = local.region_codes["ap-southeast-2"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["ap-southeast-2"]
  output_bucket_name                 = local.output_bucket_names["ap-southeast-2"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "ap-southeast-2", null)
}

module "ap_northeast_1" {
  source = "./modules/region"
  count  = contains(var.regions, "ap-northeast-1") ? 1 : 0

  providers = {
    aws = aws.ap_northeast_1
  }

  region      = "ap-northeast-1"
  region_code = local.region_codes["ap-northeast-1"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["ap-northeast-1"]
  output_bucket_name                 = local.output_bucket_names["ap-northeast-1"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "ap-northeast-1", null)
}

module "ap_northeast_2" {
  source = "./modules/region"
  count  = contains(var.regions, "ap-northeast-2") ? 1 : 0

  providers = {
    aws = aws.ap_northeast_2
  }

  region      = "ap-northeast-2"
  region_code = local.region_codes["ap-northeast-2"]
  name_prefix = var.name_prefix
  account_id  = local.account_id
  partition   = local.partition

  training_bucket_name               = local.training_bucket_names["ap-northeast-2"]
  output_bucket_name                 = local.output_bucket_names["ap-northeast-2"]
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  lambda_zip_path             = local.lambda_zip_path
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  lambda_memory_mb            = var.lambda_memory_mb
  lambda_timeout_seconds      = var.lambda_timeout_seconds
  log_retention_days          = var.log_retention_days
  project_name                = var.project_name
  default_version_name        = var.default_version_name
  inference_cache_ttl_seconds = var.inference_cache_ttl_seconds
  served_projects             = local.served_projects
  lambda_tracing_mode         = var.lambda_tracing_mode
  powertools_layer_version    = var.powertools_layer_version
  api_key_parameter_name      = var.api_key_parameter_name
  api_key_header              = var.api_key_header
  waf_rate_limit              = var.waf_rate_limit

  vpc_cidr                = var.vpc_cidr
  health_check_path       = var.health_check_path
  alb_deletion_protection = var.alb_deletion_protection
  alb_certificate_arn     = lookup(var.alb_certificate_arns, "ap-northeast-2", null)
}

locals {
  # count makes each module a list of zero or one instance.
  region_instances = {
    "us-east-1"      = module.us_east_1
    "us-east-2"      = module.us_east_2
    "us-west-2"      = module.us_west_2
    "eu-west-1"      = module.eu_west_1
    "eu-west-2"      = module.eu_west_2
    "eu-central-1"   = module.eu_central_1
    "ap-south-1"     = module.ap_south_1
    "ap-southeast-1" = module.ap_southeast_1
    "ap-southeast-2" = module.ap_southeast_2
    "ap-northeast-1" = module.ap_northeast_1
    "ap-northeast-2" = module.ap_northeast_2
  }
  regional = { for region, instances in local.region_instances : region => instances[0] if length(instances) > 0 }
}

# ---------------------------------------------------------------------------------------------
# Management region: replication source, SNS topic, worker IAM.
# ---------------------------------------------------------------------------------------------
module "management" {
  source = "./modules/management"

  name_prefix = var.name_prefix
  region      = var.management_region
  account_id  = local.account_id
  partition   = local.partition

  bucket_name                        = local.management_bucket_name
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  replication_destinations = {
    for region, instance in local.regional : region => {
      bucket_arn = instance.training_bucket_arn
      priority   = index(local.custom_labels_regions, region)
    }
  }

  topic_name                        = local.topic_name
  worker_regions                    = var.regions
  worker_project_names              = local.served_projects
  worker_bucket_arns                = [for instance in values(local.regional) : instance.training_bucket_arn]
  worker_output_bucket_arns         = [for instance in values(local.regional) : instance.output_bucket_arn]
  adopt_source_bucket_arns          = var.adopt_source_bucket_arns
  worker_trusted_service_principals = var.worker_trusted_service_principals
  worker_trusted_role_arns          = var.worker_trusted_role_arns
}

# ---------------------------------------------------------------------------------------------
# Global Accelerator: one endpoint group per region, pointing at that region's ALB.
# ---------------------------------------------------------------------------------------------
module "global_accelerator" {
  source = "./modules/global_accelerator"
  count  = var.enable_global_accelerator ? 1 : 0

  providers = {
    aws = aws.global_accelerator
  }

  name              = var.name_prefix
  endpoints         = { for region, instance in local.regional : region => instance.alb_arn }
  ports             = var.accelerator_ports
  health_check_path = var.health_check_path
  flow_logs_bucket  = var.accelerator_flow_logs_bucket
}

# ---------------------------------------------------------------------------------------------
# Optional: the Temporal worker as an ECS Fargate service in the management region, running as the
# worker role above and configured with the same settings as the CLI (TF_VAR_* over variables.tf).
# ---------------------------------------------------------------------------------------------
locals {
  # configuration/settings.py reads TF_VAR_<name> as Terraform does: strings raw, everything else as HCL.
  worker_settings = { for name, value in {
    regions                  = jsonencode(var.regions)
    management_region        = var.management_region
    name_prefix              = var.name_prefix
    project_name             = var.project_name
    default_version_name     = var.default_version_name
    max_training_hours       = var.max_training_hours == null ? null : tostring(var.max_training_hours)
    min_inference_units      = var.min_inference_units == null ? null : tostring(var.min_inference_units)
    max_inference_units      = var.max_inference_units == null ? null : tostring(var.max_inference_units)
    poll_interval_seconds    = var.poll_interval_seconds == null ? null : tostring(var.poll_interval_seconds)
    poll_policy              = var.poll_policy
    inference_ttl_hours      = tostring(var.inference_ttl_hours)
    temporal_task_queue      = var.temporal_task_queue
    inference_extra_projects = jsonencode(var.inference_extra_projects)
  } : "TF_VAR_${name}" => value if value != null }
}

module "worker_service" {
  source = "./modules/worker_service"
  count  = var.enable_worker_service ? 1 : 0

  name_prefix = var.name_prefix
  region      = var.management_region
  account_id  = local.account_id
  partition   = local.partition

  image                        = var.worker_image
  task_role_arn                = module.management.worker_role_arn
  desired_count                = var.worker_desired_count
  temporal_address             = var.temporal_address
  temporal_namespace           = var.temporal_namespace
  temporal_api_key_secret_arn  = var.temporal_api_key_secret_arn
  temporal_tls_cert_secret_arn = var.temporal_tls_cert_secret_arn
  temporal_tls_key_secret_arn  = var.temporal_tls_key_secret_arn
  secrets_kms_key_arn          = var.temporal_secrets_kms_key_arn
  settings_environment         = local.worker_settings
  metrics_port                 = var.worker_metrics_port

  subnet_ids         = var.worker_subnet_ids
  vpc_id             = var.worker_vpc_id
  vpc_cidr           = var.worker_vpc_cidr
  log_retention_days = var.log_retention_days
}
