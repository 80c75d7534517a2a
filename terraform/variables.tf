# Shared with the Python side: configuration/settings.py reads these defaults and
# terraform.tfvars / *.auto.tfvars / $GCL_TFVARS with python-hcl2, so the worker and
# the CLI use exactly what Terraform deployed.

variable "regions" {
  type        = list(string)
  description = "Regions that get a training bucket, an inference endpoint and a model. Any subset of the Rekognition Custom Labels regions."
  default     = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"]
}

variable "management_region" {
  type        = string
  description = "Region of the management bucket (replication source), the SNS topic and the worker's home."
  default     = "us-east-1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name. Bucket names add the account id and region to stay globally unique."
  default     = "global-custom-labels"
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
  description = "Longest wait between two status polls of a training, start, stop or delete."
  default     = 300
}

variable "inference_ttl_hours" {
  type        = number
  description = "Cost guard: versions started by the CLI are stopped after this many hours unless --ttl says otherwise; 0 disables."
  default     = 0
}

variable "temporal_task_queue" {
  type        = string
  description = "Temporal task queue the worker polls."
  default     = "global-custom-labels"
}
