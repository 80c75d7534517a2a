# Unit tests of modules/global_accelerator: one endpoint group per region at that region's ALB.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "accelerator" {
  command = plan

  module {
    source = "./modules/global_accelerator"
  }

  variables {
    name = "global-custom-labels"
    endpoints = {
      "us-east-1" = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gcl-alb-use1/1"
      "eu-west-1" = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/gcl-alb-euw1/2"
    }
    ports = [80, 443]
  }

  assert {
    condition     = toset(keys(aws_globalaccelerator_endpoint_group.this)) == toset(["us-east-1", "eu-west-1"])
    error_message = "One endpoint group per region."
  }

  assert {
    condition = alltrue([for region, group in aws_globalaccelerator_endpoint_group.this :
      group.endpoint_group_region == region &&
    one(group.endpoint_configuration).endpoint_id == var.endpoints[region]])
    error_message = "Each endpoint group sits in its region and points at that region's ALB."
  }

  assert {
    condition = alltrue([for group in values(aws_globalaccelerator_endpoint_group.this) :
    group.health_check_path == "/health" && group.health_check_protocol == "HTTP" && group.threshold_count == 3])
    error_message = "Endpoint groups are health-checked."
  }

  assert {
    condition     = aws_globalaccelerator_listener.this.protocol == "TCP" && toset([for range in aws_globalaccelerator_listener.this.port_range : range.from_port]) == toset([80, 443])
    error_message = "A TCP listener on the requested ports."
  }

  assert {
    condition     = aws_globalaccelerator_accelerator.this.attributes[0].flow_logs_enabled == false
    error_message = "Flow logs stay off without a bucket."
  }
}
