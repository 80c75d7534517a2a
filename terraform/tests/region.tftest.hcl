# Unit tests of modules/region: TLS-only buckets without service-principal grants, the inference Lambda,
# the ALB with a health-checked Lambda target group and a scoped invoke permission.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  region               = "ap-southeast-2"
  region_code          = "apse2"
  name_prefix          = "global-custom-labels"
  account_id           = "123456789012"
  training_bucket_name = "global-custom-labels-train-123456789012-ap-southeast-2"
  output_bucket_name   = "global-custom-labels-output-123456789012-ap-southeast-2"
  project_name         = "AWSDeepRacer"
  default_version_name = "first"
  served_projects      = ["AWSDeepRacer"]
}

run "region" {
  command = plan

  module {
    source = "./modules/region"
  }

  # Buckets: no Rekognition service-principal grants (Custom Labels uses the caller's S3 permissions).
  assert {
    condition = alltrue(flatten([for policy in [module.training_bucket.policy, module.output_bucket.policy] : [
      for statement in jsondecode(policy).Statement : statement.Principal != { Service = "rekognition.amazonaws.com" }
    ]]))
    error_message = "The legacy rekognition.amazonaws.com bucket grants must not come back."
  }

  # Lambda.
  assert {
    condition     = aws_lambda_function.inference.runtime == "python3.12" && aws_lambda_function.inference.handler == "handler.lambda_handler"
    error_message = "Python 3.12 runtime, handler.lambda_handler."
  }

  assert {
    condition = aws_lambda_function.inference.environment[0].variables == tomap({
      DEFAULT_PROJECT_NAME = "AWSDeepRacer"
      DEFAULT_VERSION_NAME = "first"
      CACHE_TTL_SECONDS    = "60"
      HEALTH_CHECK_PATH    = "/health"
      ALLOWED_PROJECTS     = "AWSDeepRacer"
    })
    error_message = "The Lambda reads DEFAULT_PROJECT_NAME, DEFAULT_VERSION_NAME, CACHE_TTL_SECONDS, HEALTH_CHECK_PATH and ALLOWED_PROJECTS."
  }

  assert {
    condition     = aws_lambda_function.inference.reserved_concurrent_executions == null
    error_message = "No reserved concurrency by default (it fails on accounts whose regional quota is below N + 100)."
  }

  assert {
    condition     = aws_iam_role.inference.name == "global-custom-labels-inference-ap-southeast-2"
    error_message = "IAM names are global: the role name carries the region."
  }

  assert {
    condition     = alltrue([for statement in jsondecode(aws_iam_role_policy.inference.policy).Statement : statement.Action != "*" && !contains(flatten([statement.Action]), "*")])
    error_message = "No IAM statement may allow every action."
  }

  # ALB and target group.
  assert {
    condition     = aws_lb.this.internal == false && aws_lb.this.load_balancer_type == "application"
    error_message = "The ALB must be internet-facing."
  }

  assert {
    condition     = length(aws_lb.this.name) <= 32 && length(aws_lb_target_group.lambda.name) <= 32
    error_message = "ALB and target group names are limited to 32 characters."
  }

  assert {
    condition     = aws_lb.this.name == "global-custom-labels-alb-apse2" && aws_lb_target_group.lambda.name == "global-custom-labels-tg-apse2"
    error_message = "ALB and target group names carry the region code."
  }

  assert {
    condition     = length(aws_subnet.public) == 2 && aws_subnet.public[0].availability_zone != aws_subnet.public[1].availability_zone
    error_message = "Two public subnets in two AZs."
  }

  assert {
    condition     = aws_lb_target_group.lambda.target_type == "lambda" && aws_lb_target_group.lambda.health_check[0].enabled
    error_message = "A Lambda target group with health checks on."
  }

  assert {
    condition     = aws_lb_target_group.lambda.health_check[0].path == "/health" && aws_lb_target_group.lambda.health_check[0].matcher == "200"
    error_message = "The health check calls /health and wants 200."
  }

  assert {
    condition = (aws_lambda_permission.alb.principal == "elasticloadbalancing.amazonaws.com" &&
    aws_lambda_permission.alb.source_arn == aws_lb_target_group.lambda.arn)
    error_message = "The invoke permission is for the ELB service, scoped to the target group."
  }

  assert {
    condition     = aws_lb_target_group_attachment.lambda.target_id == aws_lambda_function.inference.arn
    error_message = "The Lambda is the target."
  }

  assert {
    condition     = aws_lb_listener.http.port == 80 && length(aws_lb_listener.https) == 0
    error_message = "HTTP:80 listener only, without a certificate."
  }
}

run "long_prefix_with_certificate" {
  command = plan

  module {
    source = "./modules/region"
  }

  variables {
    name_prefix         = "a-28-character-prefix-for-it"
    alb_certificate_arn = "arn:aws:acm:ap-southeast-2:123456789012:certificate/0000"
  }

  assert {
    condition     = length(aws_lb.this.name) <= 32 && length(aws_lb_target_group.lambda.name) <= 32
    error_message = "Long prefixes are cut so names stay within 32 characters."
  }

  assert {
    condition     = endswith(aws_lb.this.name, "-alb-apse2") && endswith(aws_lb_target_group.lambda.name, "-tg-apse2")
    error_message = "Cut names keep the region code."
  }

  assert {
    condition     = length(aws_lb_listener.https) == 1 && aws_lb_listener.https[0].port == 443
    error_message = "A certificate adds the HTTPS:443 listener."
  }

  assert {
    condition     = toset(keys(aws_vpc_security_group_ingress_rule.alb)) == toset(["80", "443"])
    error_message = "The security group opens exactly the listener ports."
  }
}

run "missing_lambda_zip" {
  command = plan

  module {
    source = "./modules/region"
  }

  variables {
    lambda_zip_path = "/nonexistent/inference-lambda.zip"
  }

  expect_failures = [aws_lambda_function.inference]
}
