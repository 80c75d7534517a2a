# One global endpoint: an accelerator, a TCP listener, and one endpoint group per region holding
# that region's ALB. Global Accelerator follows each ALB's health (the Lambda health check), so
# traffic goes to the nearest region whose model is running.

resource "aws_globalaccelerator_accelerator" "this" {
  #checkov:skip=CKV_AWS_75:Flow logs are optional (flow_logs_bucket): they need a bucket with a delivery policy, which this module does not own.
  name            = var.name
  ip_address_type = "IPV4"
  enabled         = true

  attributes {
    flow_logs_enabled   = var.flow_logs_bucket != null
    flow_logs_s3_bucket = var.flow_logs_bucket
    flow_logs_s3_prefix = var.flow_logs_bucket == null ? null : "flow-logs/"
  }
}

resource "aws_globalaccelerator_listener" "this" {
  accelerator_arn = aws_globalaccelerator_accelerator.this.id
  client_affinity = var.client_affinity
  protocol        = "TCP"

  dynamic "port_range" {
    for_each = var.ports

    content {
      from_port = port_range.value
      to_port   = port_range.value
    }
  }
}

resource "aws_globalaccelerator_endpoint_group" "this" {
  for_each = var.endpoints

  listener_arn          = aws_globalaccelerator_listener.this.id
  endpoint_group_region = each.key

  # Used as is for EC2/EIP endpoints; for ALB endpoints Global Accelerator uses the ALB's own
  # target health, which these settings mirror.
  health_check_protocol         = "HTTP"
  health_check_port             = 80
  health_check_path             = var.health_check_path
  health_check_interval_seconds = var.health_check_interval_seconds
  threshold_count               = var.health_check_threshold_count
  traffic_dial_percentage       = 100

  endpoint_configuration {
    endpoint_id = each.value
    weight      = 128
    # Off: preservation makes Global Accelerator create ENIs and a security group in each VPC that
    # outlive the endpoint group (destroying the VPC then fails with DependencyViolation), and nothing
    # here reads the client IP.
    client_ip_preservation_enabled = false
  }
}
