variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (cluster, service, task family, roles, log group)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,26}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-28 lowercase letters, digits or '-'."
  }
}

variable "region" {
  type        = string
  description = "Region the worker runs in (the management region); must match the provider passed in."
}

variable "account_id" {
  type        = string
  description = "AWS account id, used in ARNs and the execution role's trust condition."
}

variable "partition" {
  type        = string
  description = "AWS partition used to build ARNs."
  default     = "aws"
}

variable "image" {
  type        = string
  description = "Worker image built from the repository's Dockerfile, pinned: REGISTRY/REPO@sha256:DIGEST or REGISTRY/REPO:TAG (not latest)."

  validation {
    condition     = can(regex("^[^\\s]+(@sha256:[0-9a-f]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image (worker_image) is required and must be pinned by digest (@sha256:...) or by a tag other than latest, so a deployment is reproducible."
  }
}

variable "task_role_arn" {
  type        = string
  description = "Role the worker's AWS calls run as: the least-privilege worker role of the management module (its trust names ecs-tasks.amazonaws.com with aws:SourceAccount)."

  validation {
    condition     = can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/", var.task_role_arn))
    error_message = "task_role_arn must be an IAM role ARN."
  }
}

variable "desired_count" {
  type        = number
  description = "Workers to keep running. Temporal spreads the work over all of them; 0 parks the service (nothing runs, nothing bills for Fargate)."
  default     = 1

  validation {
    condition     = var.desired_count >= 0 && var.desired_count <= 10 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number from 0 to 10."
  }
}

variable "cpu" {
  type        = number
  description = "Fargate task CPU units (256 = 0.25 vCPU). The worker mostly waits on timers and boto3 calls."
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory" {
  type        = number
  description = "Fargate task memory in MiB (must fit the cpu value; the bench measured a worker's peak RSS at about 150 MiB)."
  default     = 1024

  validation {
    condition     = var.memory >= 512 && var.memory <= 30720 && var.memory % 512 == 0
    error_message = "memory must be a multiple of 512 MiB from 512 to 30720 that Fargate allows for the chosen cpu."
  }
}

variable "temporal_address" {
  type        = string
  description = "Temporal frontend host:port (TEMPORAL_ADDRESS), e.g. NAMESPACE.ACCOUNT.tmprl.cloud:7233."

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}$", var.temporal_address))
    error_message = "temporal_address is required and must be host:port."
  }
}

variable "temporal_namespace" {
  type        = string
  description = "Temporal namespace (TEMPORAL_NAMESPACE)."
  default     = "default"

  validation {
    condition     = length(var.temporal_namespace) > 0
    error_message = "temporal_namespace must not be empty."
  }
}

variable "temporal_api_key_secret_arn" {
  type        = string
  description = "Secrets Manager secret holding the Temporal Cloud API key, injected as TEMPORAL_API_KEY (turns TLS on). null: no API key."
  default     = null

  validation {
    condition     = var.temporal_api_key_secret_arn == null || can(regex("^arn:[a-z-]+:secretsmanager:", var.temporal_api_key_secret_arn))
    error_message = "temporal_api_key_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "temporal_tls_cert_secret_arn" {
  type        = string
  description = "Secrets Manager secret holding the mTLS client certificate (PEM), injected as TEMPORAL_TLS_CLIENT_CERT_DATA. Set together with temporal_tls_key_secret_arn."
  default     = null

  validation {
    condition     = var.temporal_tls_cert_secret_arn == null || can(regex("^arn:[a-z-]+:secretsmanager:", var.temporal_tls_cert_secret_arn))
    error_message = "temporal_tls_cert_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "temporal_tls_key_secret_arn" {
  type        = string
  description = "Secrets Manager secret holding the mTLS client private key (PEM), injected as TEMPORAL_TLS_CLIENT_KEY_DATA."
  default     = null

  validation {
    condition     = var.temporal_tls_key_secret_arn == null || can(regex("^arn:[a-z-]+:secretsmanager:", var.temporal_tls_key_secret_arn))
    error_message = "temporal_tls_key_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key encrypting those secrets (the execution role gets kms:Decrypt on it through Secrets Manager only); null when they use the aws/secretsmanager key."
  default     = null
}

variable "settings_environment" {
  type        = map(string)
  description = "The settings shared with Terraform as TF_VAR_<name> values (configuration/settings.py reads them over variables.tf defaults), plus any other plain environment; never secrets."
  default     = {}
}

variable "metrics_port" {
  type        = number
  description = "When set, the worker serves the Temporal SDK's Prometheus metrics on this port inside the task (GCL_WORKER_METRICS_BIND), for a collector sidecar; no security group rule opens it."
  default     = null

  validation {
    condition     = var.metrics_port == null || try(var.metrics_port >= 1024 && var.metrics_port <= 65535, false)
    error_message = "metrics_port must be null or a port from 1024 to 65535."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Existing private subnets (with a route to the internet through NAT) to run in; empty creates a small VPC with two private subnets and one NAT gateway."
  default     = []
}

variable "vpc_id" {
  type        = string
  description = "VPC of subnet_ids (required with them, for the security group)."
  default     = null
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC created when subnet_ids is empty (a /24 is plenty: one public and two private /26 subnets)."
  default     = "10.81.0.0/24"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 CIDR of /24 or larger."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the worker's CloudWatch log group in days."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "Optional customer-managed KMS key for the log group (its key policy must allow logs.REGION.amazonaws.com); null keeps CloudWatch Logs' own encryption."
  default     = null
}

variable "container_insights" {
  type        = bool
  description = "CloudWatch Container Insights on the cluster (CPU, memory, task counts as CloudWatch metrics; billed as custom metrics)."
  default     = true
}
