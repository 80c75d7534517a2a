# Shared with the Python side: configuration/settings.py reads these defaults and
# terraform.tfvars / *.auto.tfvars / $GCL_TFVARS with python-hcl2, so the worker and
# the CLI use exactly what Terraform deployed.

variable "regions" {
  type        = list(string)
  description = "Regions that get a training bucket, an inference endpoint and a model. Any subset of the Rekognition Custom Labels regions."
  default     = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"]

  validation {
    condition     = length(var.regions) > 0 && length(distinct(var.regions)) == length(var.regions)
    error_message = "regions must list at least one region, each once."
  }

  validation {
    condition     = alltrue([for region in var.regions : contains(["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"], region)])
    error_message = "regions must be Rekognition Custom Labels regions: us-east-1, us-east-2, us-west-2, eu-west-1, eu-west-2, eu-central-1, ap-south-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, ap-northeast-2."
  }
}

variable "management_region" {
  type        = string
  description = "Region of the management bucket (replication source), the SNS topic and the worker's home."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.management_region))
    error_message = "management_region must be an AWS region code such as us-east-1."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name. Bucket names add the account id and region to stay globally unique."
  default     = "global-custom-labels"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,26}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-28 lowercase letters, digits or '-' (bucket names add up to 35 characters and S3 allows 63)."
  }
}

variable "project_name" {
  type        = string
  description = "Default Rekognition Custom Labels project name used by the CLI and the inference endpoint."
  default     = "AWSDeepRacer"
}

variable "default_version_name" {
  type        = string
  description = "Model version the ALB health check requires to be RUNNING in a region before Global Accelerator sends traffic there."
  default     = "first"
}

variable "max_training_hours" {
  type        = number
  description = "A regional training still in progress after this many hours is reported as timed out."
  default     = 24
}

variable "min_inference_units" {
  type        = number
  description = "Default MinInferenceUnits for StartProjectVersion."
  default     = 1
}

variable "max_inference_units" {
  type        = number
  description = "Default MaxInferenceUnits for StartProjectVersion (autoscaling); null disables autoscaling."
  default     = null
}

variable "poll_interval_seconds" {
  type        = number
  description = "Longest wait between two status polls of a training, start, stop or delete (the seed's fixed interval)."
  default     = 300
}

variable "poll_policy" {
  type        = string
  description = "When to poll: adaptive (waits out a phase's typical minimum, then polls denser; fewer calls and sooner detection than fixed), fixed (every poll_interval_seconds, as the seed did) or backoff."
  default     = "adaptive"

  validation {
    condition     = contains(["adaptive", "fixed", "backoff"], var.poll_policy)
    error_message = "poll_policy must be adaptive, fixed or backoff."
  }
}

variable "inference_ttl_hours" {
  type        = number
  description = "Cost guard: versions started by the CLI are stopped after this many hours unless --ttl says otherwise (0 disables it: 11 regions x 1 unit left running cost about 32,000 USD a month)."
  default     = 8

  validation {
    condition     = var.inference_ttl_hours >= 0 && var.inference_ttl_hours <= 8784
    error_message = "inference_ttl_hours must be 0 (no guard) or a number of hours up to 8784 (366 days, the longest TTL the workflows take)."
  }
}

variable "canary_region" {
  type        = string
  description = "Default canary of `build` (issue 17): this region trains first and the others only once it reached TRAINING_COMPLETED (and met --min-f1). null: every region at once. Used when the build includes it; `build --canary REGION` overrides it. Read by the worker and the CLI, not by any resource."
  default     = null

  validation {
    condition     = var.canary_region == null ? true : contains(var.regions, var.canary_region)
    error_message = "canary_region must be null or one of regions."
  }
}

variable "temporal_task_queue" {
  type        = string
  description = "Temporal task queue the worker polls."
  default     = "global-custom-labels"
}

# ---------------------------------------------------------------------------------------------
# Deployment-only inputs (Terraform side; the Python settings loader ignores what it does not know).
# ---------------------------------------------------------------------------------------------

variable "aws_endpoint_url" {
  type        = string
  description = "When set (e.g. http://127.0.0.1:4566), every provider talks to this local AWS endpoint with credential and account checks skipped. Leave null for real AWS."
  default     = null
}

variable "enable_global_accelerator" {
  type        = bool
  description = "Create the Global Accelerator in front of the regional ALBs. Disable where it does not exist (the local endpoint)."
  default     = true
}

variable "lambda_zip_path" {
  type        = string
  description = "Zip of the inference Lambda built by `python -m inference.package --output build/inference-lambda.zip`; null means <repo>/build/inference-lambda.zip."
  default     = null
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the inference Lambda in each region; null (default) reserves none. Lambda keeps 100 of a region's concurrency quota unreserved, so setting N needs a quota of at least N + 100 in every region (new accounts often have 10): raise it with Service Quotas first."
  default     = null

  validation {
    condition     = var.lambda_reserved_concurrency == null || try(var.lambda_reserved_concurrency >= 1, false)
    error_message = "lambda_reserved_concurrency must be null (no reservation) or at least 1 (0 would throttle every request)."
  }
}

variable "lambda_tracing_mode" {
  type        = string
  description = "X-Ray tracing of the inference Lambda: PassThrough (default) traces only requests that arrive with a sampled X-Amzn-Trace-Id, so ALB health checks (unsampled) are never traced; Active samples every invocation, health checks included."
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.lambda_tracing_mode)
    error_message = "lambda_tracing_mode must be PassThrough or Active."
  }
}

variable "powertools_layer_version" {
  type        = number
  description = "Version of the AWS-published layer arn:aws:lambda:REGION:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64 that gives the inference Lambda AWS Lambda Powertools (inference/request_log.py). 27 is the version the Powertools install page listed in the newest change of it we could read (aws-powertools/powertools-lambda-python pull request 7757); check the page before pinning a newer one."
  default     = 27

  validation {
    condition     = var.powertools_layer_version >= 1 && floor(var.powertools_layer_version) == var.powertools_layer_version
    error_message = "powertools_layer_version must be a layer version number (a whole number from 1)."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of the inference Lambda in MB."
  default     = 256
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Timeout of the inference Lambda in seconds (the ALB health check waits at most 30 s)."
  default     = 30
}

variable "inference_cache_ttl_seconds" {
  type        = number
  description = "How long the inference Lambda caches the model ARN and status (CACHE_TTL_SECONDS)."
  default     = 60
}

variable "health_check_path" {
  type        = string
  description = "Path the ALB and Global Accelerator health checks call; the Lambda reads the same value (HEALTH_CHECK_PATH) and answers 200 there only while the default model version is RUNNING. The local endpoints use it too."
  default     = "/health"

  validation {
    condition     = length(var.health_check_path) <= 1024 && can(regex("^/[A-Za-z0-9._~/-]*$", var.health_check_path))
    error_message = "health_check_path must start with / and hold only URL path characters (letters, digits, . _ ~ / -)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the inference Lambda's CloudWatch log group in days."
  default     = 365
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the per-region VPC that holds the ALB (two public /24 subnets are carved from it)."
  default     = "10.80.0.0/16"
}

variable "alb_deletion_protection" {
  type        = bool
  description = "Turn on deletion protection of the regional ALBs (then `terraform destroy` needs it switched off first)."
  default     = false
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days before noncurrent object versions (and so objects deleted in the management bucket) expire, as in the seed."
  default     = 1
}

variable "accelerator_ports" {
  type        = list(number)
  description = "TCP ports the Global Accelerator listener accepts; each must have a listener on the ALBs (80 always; 443 needs alb_certificate_arns in every region)."
  default     = [80]

  validation {
    condition     = length(var.accelerator_ports) > 0 && alltrue([for port in var.accelerator_ports : contains([80, 443], port)])
    error_message = "accelerator_ports may hold 80 and 443 (the ALB listeners)."
  }
}

variable "alb_certificate_arns" {
  type        = map(string)
  description = "Optional ACM certificate ARN per region (region => ARN); where set, the ALB gets an HTTPS:443 listener too. The certificate must be in that region (ACM certificates are regional) and cover the name clients use (README: HTTPS)."
  default     = {}

  validation {
    condition     = alltrue([for region, arn in var.alb_certificate_arns : can(regex("^arn:[a-z-]+:acm:${region}:[0-9]{12}:certificate/", arn))])
    error_message = "alb_certificate_arns maps a region to an ACM certificate ARN of that same region (arn:aws:acm:REGION:ACCOUNT:certificate/ID)."
  }
}

variable "accelerator_flow_logs_bucket" {
  type        = string
  description = "Optional S3 bucket (name) for Global Accelerator flow logs; null leaves flow logs off."
  default     = null
}

variable "inference_extra_projects" {
  type        = list(string)
  description = "Allow-list: Custom Labels projects the public endpoint serves besides project_name (empty by default). Any other project gets the same 404 as one that does not exist, and the Lambda role may not call it."
  default     = []

  validation {
    condition     = alltrue([for name in var.inference_extra_projects : can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]{0,254}$", name))])
    error_message = "inference_extra_projects must hold Custom Labels project names (letters, digits, '_', '.', '-')."
  }
}

variable "api_key_parameter_name" {
  type        = string
  description = "Optional API-key authentication: name of an SSM Parameter Store SecureString (same name in every region, e.g. /global-custom-labels/api-key) holding the key. When set, every request except the health check must carry it in api_key_header (compared in constant time; read once per Lambda container). null leaves the endpoint open."
  default     = null

  validation {
    condition     = var.api_key_parameter_name == null || try(length(var.api_key_parameter_name) <= 1011 && can(regex("^/?[a-zA-Z0-9_./-]+$", var.api_key_parameter_name)), false)
    error_message = "api_key_parameter_name must be an SSM parameter name such as /global-custom-labels/api-key."
  }
}

variable "api_key_header" {
  type        = string
  description = "HTTP header that carries the API key when api_key_parameter_name is set."
  default     = "x-api-key"
}

variable "waf_rate_limit" {
  type        = number
  description = "Optional AWS WAF web ACL on each regional ALB with one rate-based rule: requests per 5 minutes allowed from one client IP before it is blocked (at least 10). null (default) creates no WAF."
  default     = null

  validation {
    condition     = var.waf_rate_limit == null || try(var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000, false)
    error_message = "waf_rate_limit must be null or 10-2,000,000,000 requests per 5 minutes."
  }
}

variable "worker_trusted_service_principals" {
  type        = list(string)
  description = "AWS services allowed to assume the Temporal worker role (where the worker runs)."
  default     = ["ecs-tasks.amazonaws.com"]
}

variable "worker_trusted_role_arns" {
  type        = list(string)
  description = "IAM role/user ARNs allowed to assume the Temporal worker role (e.g. an operator or CI role)."
  default     = []
}

variable "adopt_source_bucket_arns" {
  type        = list(string)
  description = "Buckets holding the images of projects to adopt with `cli.py adopt` (a model trained in the console): the worker may read their objects, never write them. Empty: nothing outside this deployment's buckets."
  default     = []

  validation {
    condition     = alltrue([for arn in var.adopt_source_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "adopt_source_bucket_arns must be S3 bucket ARNs (arn:aws:s3:::NAME, no key)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource (on top of Project = name_prefix)."
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# The Temporal worker on ECS Fargate (modules/worker_service), off by default: `python cli.py worker`
# on any host works as well. Build and push the image first (README: On AWS).
# ---------------------------------------------------------------------------------------------

variable "enable_worker_service" {
  type        = bool
  description = "Run the Temporal worker as an ECS Fargate service in the management region (needs worker_image and temporal_address)."
  default     = false
}

variable "worker_image" {
  type        = string
  description = "Worker image built from the repository's Dockerfile and pushed to a registry (ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO), pinned by @sha256 digest or a tag other than latest."
  default     = null
}

variable "worker_desired_count" {
  type        = number
  description = "Worker tasks to keep running (0 parks the service)."
  default     = 1
}

variable "temporal_address" {
  type        = string
  description = "Temporal frontend host:port the deployed worker connects to (TEMPORAL_ADDRESS), e.g. NAMESPACE.ACCOUNT.tmprl.cloud:7233."
  default     = null
}

variable "temporal_namespace" {
  type        = string
  description = "Temporal namespace of the deployed worker (TEMPORAL_NAMESPACE)."
  default     = "default"
}

variable "temporal_api_key_secret_arn" {
  type        = string
  description = "Secrets Manager secret (ARN) holding the Temporal Cloud API key for the deployed worker (TEMPORAL_API_KEY); null: none."
  default     = null
}

variable "temporal_tls_cert_secret_arn" {
  type        = string
  description = "Secrets Manager secret (ARN) holding the worker's mTLS client certificate PEM (TEMPORAL_TLS_CLIENT_CERT_DATA); with temporal_tls_key_secret_arn."
  default     = null
}

variable "temporal_tls_key_secret_arn" {
  type        = string
  description = "Secrets Manager secret (ARN) holding the worker's mTLS client key PEM (TEMPORAL_TLS_CLIENT_KEY_DATA)."
  default     = null
}

variable "temporal_secrets_kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key of those secrets, if any (null: the aws/secretsmanager key)."
  default     = null
}

variable "worker_subnet_ids" {
  type        = list(string)
  description = "Existing private subnets (with NAT) for the worker; empty creates a small VPC with one NAT gateway."
  default     = []
}

variable "worker_vpc_id" {
  type        = string
  description = "VPC of worker_subnet_ids."
  default     = null
}

variable "worker_vpc_cidr" {
  type        = string
  description = "CIDR of the worker's own VPC (when worker_subnet_ids is empty)."
  default     = "10.81.0.0/24"
}

variable "worker_metrics_port" {
  type        = number
  description = "Port inside the task where the deployed worker serves Temporal's Prometheus metrics (for a collector sidecar); null: off."
  default     = null
}
