variable "region" {
  type        = string
  description = "Region this instance deploys to; must match the region of the provider passed in."
}

variable "region_code" {
  type        = string
  description = "Short code of the region (e.g. use1) used where names are limited to 32 characters."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name."
}

variable "account_id" {
  type        = string
  description = "AWS account id, used in ARNs and policy conditions."
}

variable "partition" {
  type        = string
  description = "AWS partition used to build ARNs."
  default     = "aws"
}

variable "training_bucket_name" {
  type        = string
  description = "Name of the regional training bucket (replication destination, read by Rekognition)."
}

variable "output_bucket_name" {
  type        = string
  description = "Name of the regional training output bucket (written by Rekognition)."
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which noncurrent object versions expire in both buckets."
  default     = 1
}

variable "lambda_zip_path" {
  type        = string
  description = "Path of the inference Lambda zip."
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the inference Lambda; null reserves none."
  default     = null
}

variable "lambda_tracing_mode" {
  type        = string
  description = "X-Ray tracing mode of the Lambda: PassThrough (health checks never traced) or Active."
  default     = "PassThrough"
}

variable "powertools_layer_version" {
  type        = number
  description = "Version of the AWS-published AWS Lambda Powertools layer (AWSLambdaPowertoolsPythonV3-python312-x86_64) the Lambda loads."
  default     = 27
}

variable "served_projects" {
  type        = list(string)
  description = "Custom Labels projects the Lambda may serve (ALLOWED_PROJECTS); its role may call only these."
}

variable "api_key_parameter_name" {
  type        = string
  description = "SSM SecureString parameter holding the API key; null disables API-key authentication."
  default     = null
}

variable "api_key_header" {
  type        = string
  description = "Header carrying the API key."
  default     = "x-api-key"
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests per 5 minutes per client IP of the WAF rate-based rule; null creates no WAF."
  default     = null
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of the inference Lambda in MB."
  default     = 256
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Timeout of the inference Lambda in seconds."
  default     = 30
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the inference Lambda's log group in days."
  default     = 365
}

variable "project_name" {
  type        = string
  description = "Default Custom Labels project the Lambda serves (DEFAULT_PROJECT_NAME)."
}

variable "default_version_name" {
  type        = string
  description = "Default model version the Lambda serves and health-checks (DEFAULT_VERSION_NAME)."
}

variable "inference_cache_ttl_seconds" {
  type        = number
  description = "Seconds the Lambda caches the model ARN and status (CACHE_TTL_SECONDS)."
  default     = 60
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC holding the ALB."
  default     = "10.80.0.0/16"
}

variable "health_check_path" {
  type        = string
  description = "Path of the ALB health check request sent to the Lambda."
  default     = "/health"
}

variable "alb_deletion_protection" {
  type        = bool
  description = "Deletion protection of the ALB."
  default     = false
}

variable "alb_certificate_arn" {
  type        = string
  description = "ACM certificate for an HTTPS:443 listener; null for HTTP:80 only."
  default     = null
}
