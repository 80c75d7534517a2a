variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name."
}

variable "region" {
  type        = string
  description = "Management region (must match the provider passed in)."
}

variable "account_id" {
  type        = string
  description = "AWS account id, used in ARNs and the replication role's trust condition."
}

variable "partition" {
  type        = string
  description = "AWS partition used to build ARNs."
  default     = "aws"
}

variable "bucket_name" {
  type        = string
  description = "Name of the management training bucket (replication source)."
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which noncurrent object versions expire."
  default     = 1
}

variable "replication_destinations" {
  type = map(object({
    bucket_arn = string
    priority   = number
  }))
  description = "Regional training buckets to replicate to: region => { bucket_arn, priority }; priorities must be unique."

  validation {
    condition     = length(distinct([for d in values(var.replication_destinations) : d.priority])) == length(var.replication_destinations)
    error_message = "Replication rule priorities must be unique."
  }
}

variable "topic_name" {
  type        = string
  description = "Name of the SNS notification topic."
}

variable "topic_kms_key_id" {
  type        = string
  description = "KMS key (id, ARN or alias) encrypting the SNS topic."
  default     = "alias/aws/sns"
}

variable "worker_regions" {
  type        = list(string)
  description = "Regions whose Custom Labels projects the worker manages."
}

variable "worker_project_names" {
  type        = list(string)
  description = "Custom Labels projects the worker may create, train, start, stop and delete (in worker_regions)."

  validation {
    condition     = length(var.worker_project_names) > 0
    error_message = "worker_project_names must name at least one project."
  }
}

variable "worker_bucket_arns" {
  type        = list(string)
  description = "Regional training bucket ARNs the worker reads and writes (the management bucket is always included)."
  default     = []
}

variable "adopt_source_bucket_arns" {
  type        = list(string)
  description = "Buckets holding the images of projects to adopt (`cli.py adopt`): the worker may read (never write) their objects. Empty: adopt reads only the management and training buckets."
  default     = []

  validation {
    condition     = alltrue([for arn in var.adopt_source_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "adopt_source_bucket_arns must be S3 bucket ARNs (arn:aws:s3:::NAME, no key)."
  }
}

variable "worker_output_bucket_arns" {
  type        = list(string)
  description = "Regional output bucket ARNs training writes to with the worker's permissions."

  validation {
    condition     = length(var.worker_output_bucket_arns) > 0 && alltrue([for arn in var.worker_output_bucket_arns : startswith(arn, "arn:")])
    error_message = "worker_output_bucket_arns must list the ARN of every regional output bucket."
  }
}

variable "worker_trusted_service_principals" {
  type        = list(string)
  description = "AWS services allowed to assume the worker role."
  default     = ["ecs-tasks.amazonaws.com"]
}

variable "worker_trusted_role_arns" {
  type        = list(string)
  description = "IAM principals (ARNs) allowed to assume the worker role."
  default     = []
}
