# Issue 14's defects, each pinned by an assertion that fails if it comes back: reserved concurrency,
# client IP preservation, one health path, real AZs only, no legacy grants, a scoped worker with a
# source-account trust, no force_destroy on the management bucket, tracing without health checks,
# a public endpoint limited to the served projects, optional API key and WAF.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  region               = "eu-west-1"
  region_code          = "euw1"
  name_prefix          = "global-custom-labels"
  account_id           = "123456789012"
  training_bucket_name = "global-custom-labels-train-123456789012-eu-west-1"
  output_bucket_name   = "global-custom-labels-output-123456789012-eu-west-1"
  project_name         = "AWSDeepRacer"
  default_version_name = "first"
  served_projects      = ["AWSDeepRacer", "Other"]
  health_check_path    = "/ping"

  bucket_name = "global-custom-labels-mgmt-123456789012-us-east-1"
  topic_name  = "global-custom-labels-notifications"
  replication_destinations = {
    "eu-west-1" = { bucket_arn = "arn:aws:s3:::global-custom-labels-train-123456789012-eu-west-1", priority = 3 }
  }
  worker_regions            = ["us-east-1", "eu-west-1"]
  worker_project_names      = ["AWSDeepRacer"]
  worker_output_bucket_arns = ["arn:aws:s3:::global-custom-labels-output-123456789012-eu-west-1"]
  worker_trusted_role_arns  = ["arn:aws:iam::123456789012:role/operator"]

  name      = "global-custom-labels"
  endpoints = { "eu-west-1" = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/a/0123456789abcdef" }
}

run "region_defaults" {
  command = plan

  module {
    source = "./modules/region"
  }

  assert {
    condition     = aws_lambda_function.inference.reserved_concurrent_executions == null
    error_message = "No reserved concurrency unless asked for."
  }

  assert {
    condition = (length(aws_lambda_function.inference.layers) == 1 &&
    aws_lambda_function.inference.layers[0] == "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:27")
    error_message = "Powertools (the request log) comes from AWS's layer of the region, pinned for the function's runtime."
  }

  assert {
    condition     = aws_lambda_function.inference.tracing_config[0].mode == "PassThrough"
    error_message = "Tracing must not record every ALB health check (PassThrough by default)."
  }

  assert {
    condition = (aws_lb_target_group.lambda.health_check[0].path == "/ping" &&
    aws_lambda_function.inference.environment[0].variables["HEALTH_CHECK_PATH"] == "/ping")
    error_message = "The ALB health check and the handler use one health path."
  }

  assert {
    condition = anytrue([for f in data.aws_availability_zones.available.filter :
    f.name == "zone-type" && toset(f.values) == toset(["availability-zone"])])
    error_message = "Subnets go only to zone-type availability-zone (no Local or Wavelength Zones)."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.inference.policy).Statement : s.Resource if s.Sid == "DetectWithRegionalModels"]) == [
      "arn:aws:rekognition:eu-west-1:123456789012:project/AWSDeepRacer/*",
      "arn:aws:rekognition:eu-west-1:123456789012:project/Other/*",
    ]
    error_message = "The Lambda may call only the served projects."
  }

  assert {
    condition     = aws_lambda_function.inference.environment[0].variables["ALLOWED_PROJECTS"] == "AWSDeepRacer,Other"
    error_message = "The handler serves exactly the allow-list."
  }

  assert {
    condition = (!contains(keys(aws_lambda_function.inference.environment[0].variables), "API_KEY_PARAMETER") &&
    length(aws_wafv2_web_acl.rate_limit) == 0 && length(aws_wafv2_web_acl_association.alb) == 0)
    error_message = "API key and WAF are off by default."
  }

  assert {
    condition = alltrue(flatten([for policy in [module.training_bucket.policy, module.output_bucket.policy] : [
      for statement in jsondecode(policy).Statement : statement.Effect == "Deny"
    ]]))
    error_message = "Regional bucket policies hold only the TLS deny: no legacy service-principal grants."
  }
}

run "region_api_key_and_waf" {
  command = plan

  module {
    source = "./modules/region"
  }

  variables {
    api_key_parameter_name = "/global-custom-labels/api-key"
    waf_rate_limit         = 500
    lambda_tracing_mode    = "Active"
  }

  assert {
    condition = (aws_lambda_function.inference.environment[0].variables["API_KEY_PARAMETER"] == "/global-custom-labels/api-key" &&
    aws_lambda_function.inference.environment[0].variables["API_KEY_HEADER"] == "x-api-key")
    error_message = "The handler gets the parameter name and header, never the key."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.inference.policy).Statement : s if s.Sid == "ReadApiKey"]) == {
      Sid      = "ReadApiKey"
      Effect   = "Allow"
      Action   = "ssm:GetParameter"
      Resource = "arn:aws:ssm:eu-west-1:123456789012:parameter/global-custom-labels/api-key"
    }
    error_message = "The Lambda may read exactly the API key parameter."
  }

  assert {
    condition = (length(aws_wafv2_web_acl.rate_limit) == 1 &&
      one(aws_wafv2_web_acl.rate_limit[0].rule).statement[0].rate_based_statement[0].limit == 500 &&
    aws_wafv2_web_acl.rate_limit[0].scope == "REGIONAL")
    error_message = "waf_rate_limit adds a regional web ACL with a rate-based rule."
  }

  assert {
    condition     = aws_lambda_function.inference.tracing_config[0].mode == "Active"
    error_message = "lambda_tracing_mode switches tracing to Active."
  }
}

run "accelerator" {
  command = plan

  module {
    source = "./modules/global_accelerator"
  }

  assert {
    condition = alltrue([for group in aws_globalaccelerator_endpoint_group.this :
    alltrue([for endpoint in group.endpoint_configuration : endpoint.client_ip_preservation_enabled == false])])
    error_message = "Client IP preservation stays off: its ENIs outlive the endpoint group and block VPC deletion."
  }

  assert {
    condition     = aws_globalaccelerator_endpoint_group.this["eu-west-1"].health_check_path == "/ping"
    error_message = "The accelerator health-checks the same path as the ALB."
  }
}

run "management_adopting_from_a_users_bucket" {
  command = plan

  module {
    source = "./modules/management"
  }

  variables {
    adopt_source_bucket_arns = ["arn:aws:s3:::console-datasets"]
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_policy.worker.policy).Statement : s if s.Sid == "ReadImagesToAdopt"]) == {
      Sid    = "ReadImagesToAdopt", Effect = "Allow", Resource = ["arn:aws:s3:::console-datasets/*"]
      Action = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
    }
    error_message = "The source buckets of an adoption are read-only for the worker."
  }
}

run "management" {
  command = plan

  module {
    source = "./modules/management"
  }

  assert {
    condition     = module.bucket.force_destroy == false
    error_message = "The management bucket (the datasets' source of truth) must not be force-destroyed."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_policy.worker.policy).Statement : s.Resource if s.Sid == "ReadProjectsToAdopt"]) == [
      "arn:aws:rekognition:*:123456789012:project/AWSDeepRacer/*"
    ]
    error_message = "adopt reads the configured project (and nothing else) in any region."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_policy.worker.policy).Statement : s if s.Sid == "ReadImagesToAdopt"]) == 0
    error_message = "Without adopt_source_bucket_arns the worker reads no bucket outside the deployment."
  }

  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_policy.worker.policy).Statement : [
      for arn in flatten([s.Resource]) : !strcontains(arn, ":project/*")
    ]]))
    error_message = "The worker may touch only the configured projects, never project/*."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role.worker.assume_role_policy).Statement : s.Condition if s.Sid == "TrustedServices"]) == {
      StringEquals = { "aws:SourceAccount" = "123456789012" }
    }
    error_message = "Services assume the worker role only for this account (aws:SourceAccount)."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role.worker.assume_role_policy).Statement : s.Principal if s.Sid == "TrustedPrincipals"]) == {
      AWS = ["arn:aws:iam::123456789012:role/operator"]
    }
    error_message = "Named IAM principals get their own trust statement."
  }
}
