# Shared by every mocked aws provider in the tests: mocked computed values are random strings,
# so give the lookups the code depends on realistic values.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/test"
    user_id    = "AIDATEST"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}

mock_data "aws_availability_zones" {
  defaults = {
    names    = ["zone-a", "zone-b", "zone-c"]
    zone_ids = ["zid-a", "zid-b", "zid-c"]
  }
}

# The provider validates ARNs it receives, so ARNs that other resources consume must look real.
# override_during = plan makes them known in `command = plan` runs too.

mock_resource "aws_iam_role" {
  override_during = plan
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mock-role"
  }
}

mock_resource "aws_iam_policy" {
  override_during = plan
  defaults = {
    arn = "arn:aws:iam::123456789012:policy/mock-policy"
  }
}

mock_resource "aws_sns_topic" {
  override_during = plan
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:mock-topic"
  }
}

mock_resource "aws_lambda_function" {
  override_during = plan
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock-function"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock-function/invocations"
  }
}

mock_resource "aws_lb" {
  override_during = plan
  defaults = {
    arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/mock-alb/0123456789abcdef"
    dns_name = "mock-alb-123456789.us-east-1.elb.amazonaws.com"
  }
}

mock_resource "aws_lb_target_group" {
  override_during = plan
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/mock-tg/0123456789abcdef"
  }
}

mock_resource "aws_globalaccelerator_accelerator" {
  override_during = plan
  defaults = {
    id       = "arn:aws:globalaccelerator::123456789012:accelerator/mock-accelerator"
    dns_name = "a0123456789abcdef.awsglobalaccelerator.com"
  }
}

mock_resource "aws_globalaccelerator_listener" {
  override_during = plan
  defaults = {
    id = "arn:aws:globalaccelerator::123456789012:accelerator/mock-accelerator/listener/mock"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  override_during = plan
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock-log-group"
  }
}

mock_resource "aws_ecs_cluster" {
  override_during = plan
  defaults = {
    arn = "arn:aws:ecs:us-east-1:123456789012:cluster/mock-cluster"
    id  = "arn:aws:ecs:us-east-1:123456789012:cluster/mock-cluster"
  }
}

mock_resource "aws_ecs_task_definition" {
  override_during = plan
  defaults = {
    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/mock-worker:1"
  }
}
