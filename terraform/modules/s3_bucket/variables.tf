variable "bucket_name" {
  type        = string
  description = "Globally unique bucket name (from the naming rule in the root locals.tf)."
}

variable "partition" {
  type        = string
  description = "AWS partition used to build ARNs (aws, aws-cn, aws-us-gov)."
  default     = "aws"
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which noncurrent object versions expire."
  default     = 1
}

variable "policy_statements" {
  type        = any
  description = "Extra bucket policy statements (list of IAM statement objects) added after the TLS-only deny."
  default     = []
}

variable "force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete a bucket that still holds objects (the seed's autoDeleteObjects). Off by default: the management bucket holds the datasets' source of truth."
  default     = false
}
