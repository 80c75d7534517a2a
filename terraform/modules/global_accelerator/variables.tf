variable "name" {
  type        = string
  description = "Accelerator name."
}

variable "endpoints" {
  type        = map(string)
  description = "One endpoint group per entry: region => ARN of that region's ALB."
}

variable "ports" {
  type        = list(number)
  description = "TCP ports of the listener (each needs a listener on the ALBs)."
  default     = [80]

  validation {
    condition     = length(var.ports) > 0 && alltrue([for port in var.ports : port >= 1 && port <= 65535])
    error_message = "ports must list at least one TCP port between 1 and 65535."
  }
}

variable "client_affinity" {
  type        = string
  description = "NONE (spread by 5-tuple) or SOURCE_IP (one client sticks to one endpoint)."
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "SOURCE_IP"], var.client_affinity)
    error_message = "client_affinity must be NONE or SOURCE_IP."
  }
}

variable "health_check_path" {
  type        = string
  description = "Health check path (mirrors the ALB target group's)."
  default     = "/health"
}

variable "health_check_interval_seconds" {
  type        = number
  description = "Seconds between health checks: 10 or 30."
  default     = 30
}

variable "health_check_threshold_count" {
  type        = number
  description = "Consecutive checks before an endpoint changes health."
  default     = 3
}

variable "flow_logs_bucket" {
  type        = string
  description = "S3 bucket for flow logs; null disables flow logs."
  default     = null
}
