mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "global_accelerator"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_east_2"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_west_2"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "eu_west_1"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "eu_west_2"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "eu_central_1"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "ap_south_1"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "ap_southeast_1"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "ap_southeast_2"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "ap_northeast_1"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "ap_northeast_2"
  source = "./tests/mocks"
}

# regions = ["us-east-1", "eu-west-1"] deploys exactly those two regions, wired together.
# Every run plans with thirteen mocked providers (about 10 s each), so assertions are grouped.

variables {
  regions = ["us-east-1", "eu-west-1"]
}

run "two_regions" {
  command = plan

  assert {
    condition     = length(module.worker_service) == 0 && output.worker_service == null
    error_message = "The worker service is off by default (python cli.py worker stays the default)."
  }

  # Only the listed regions are deployed.
  assert {
    condition     = length(module.us_east_1) == 1 && length(module.eu_west_1) == 1
    error_message = "The two listed regions must be deployed."
  }

  assert {
    condition = alltrue([for instances in [
      module.us_east_2, module.us_west_2, module.eu_west_2, module.eu_central_1, module.ap_south_1,
      module.ap_southeast_1, module.ap_southeast_2, module.ap_northeast_1, module.ap_northeast_2,
    ] : length(instances) == 0])
    error_message = "Regions not listed must not be deployed."
  }

  assert {
    condition     = output.regions == tolist(["us-east-1", "eu-west-1"]) && output.management_region == "us-east-1"
    error_message = "regions and management_region outputs must echo the inputs."
  }

  # Names follow the naming rule of docs/CONTRACTS.md.
  assert {
    condition     = output.account_id == "123456789012"
    error_message = "account_id must come from the caller identity."
  }

  assert {
    condition     = output.management_bucket == "global-custom-labels-mgmt-123456789012-us-east-1"
    error_message = "Management bucket name must be {prefix}-mgmt-{account}-{management_region}."
  }

  assert {
    condition = output.training_buckets == {
      "eu-west-1" = "global-custom-labels-train-123456789012-eu-west-1"
      "us-east-1" = "global-custom-labels-train-123456789012-us-east-1"
    }
    error_message = "Training buckets must be {prefix}-train-{account}-{region}, one per region."
  }

  assert {
    condition = output.output_buckets == {
      "eu-west-1" = "global-custom-labels-output-123456789012-eu-west-1"
      "us-east-1" = "global-custom-labels-output-123456789012-us-east-1"
    }
    error_message = "Output buckets must be {prefix}-output-{account}-{region}, one per region."
  }

  assert {
    condition     = output.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:mock-topic"
    error_message = "sns_topic_arn must be the topic's ARN."
  }

  assert {
    condition     = keys(output.alb_dns_names) == ["eu-west-1", "us-east-1"]
    error_message = "One ALB DNS name per region."
  }

  assert {
    condition     = output.worker_policy_arn == "arn:aws:iam::123456789012:policy/mock-policy"
    error_message = "worker_policy_arn must be the worker policy's ARN."
  }

  # One replication rule per region, unique priorities, each to its region's training bucket.
  assert {
    condition     = [for rule in module.management.replication_rules : rule.region] == ["eu-west-1", "us-east-1"]
    error_message = "One replication rule per deployed region."
  }

  assert {
    condition     = length(distinct([for rule in module.management.replication_rules : rule.priority])) == 2
    error_message = "Replication rule priorities must be unique."
  }

  assert {
    condition = alltrue([for rule in module.management.replication_rules :
    rule.bucket_arn == "arn:aws:s3:::global-custom-labels-train-123456789012-${rule.region}"])
    error_message = "Each rule must point at its region's training bucket."
  }

  # One endpoint group per region behind the accelerator.
  assert {
    condition     = module.global_accelerator[0].endpoint_group_regions == tolist(["eu-west-1", "us-east-1"])
    error_message = "One Global Accelerator endpoint group per region."
  }

  assert {
    condition     = output.accelerator_dns_name == "a0123456789abcdef.awsglobalaccelerator.com"
    error_message = "accelerator_dns_name must be the accelerator's DNS name."
  }
}

run "without_global_accelerator_and_with_other_names" {
  command = plan

  variables {
    enable_global_accelerator = false
    name_prefix               = "gcl-test"
    management_region         = "eu-west-1"
  }

  assert {
    condition     = length(module.global_accelerator) == 0 && output.accelerator_dns_name == null
    error_message = "enable_global_accelerator = false must create no accelerator."
  }

  assert {
    condition     = output.management_bucket == "gcl-test-mgmt-123456789012-eu-west-1"
    error_message = "Management bucket follows prefix and management region."
  }

  assert {
    condition     = output.training_buckets["us-east-1"] == "gcl-test-train-123456789012-us-east-1"
    error_message = "Training buckets follow the prefix."
  }
}

# Bad input fails at plan with the variables' own messages (one run: each root run costs ~10 s).
run "rejects_bad_regions_and_prefix" {
  command = plan

  variables {
    regions     = ["us-east-1", "us-east-1", "sa-east-1"]
    name_prefix = "a-prefix-that-is-far-too-long-for-s3"
  }

  expect_failures = [var.regions, var.name_prefix]
}

# HTTPS end to end: an ACM certificate per region gives each ALB an HTTPS:443 listener, the accelerator forwards
# 443, and a 443 without a certificate in every region is refused at plan time (Global Accelerator health-checks
# port 80 only, so such a region would look healthy and refuse HTTPS).

run "https_in_every_region_and_on_the_accelerator" {
  command = plan

  variables {
    alb_certificate_arns = {
      "us-east-1" = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
      "eu-west-1" = "arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
    }
    accelerator_ports = [80, 443]
  }

  assert {
    condition = (module.us_east_1[0].https_listener_certificate_arn == var.alb_certificate_arns["us-east-1"] &&
    module.eu_west_1[0].https_listener_certificate_arn == var.alb_certificate_arns["eu-west-1"])
    error_message = "Each ALB terminates TLS with its own region's certificate."
  }

  assert {
    condition     = toset(module.global_accelerator[0].ports) == toset([80, 443])
    error_message = "The accelerator forwards 443 to the ALBs."
  }
}

run "https_needs_a_certificate_in_every_region" {
  command = plan

  variables {
    accelerator_ports = [80, 443]
    alb_certificate_arns = {
      "us-east-1" = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    }
  }

  expect_failures = [output.accelerator_dns_name]
}

run "a_certificate_must_be_of_its_region" {
  command = plan

  variables {
    alb_certificate_arns = {
      "us-east-1" = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
      "eu-west-1" = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    }
  }

  expect_failures = [var.alb_certificate_arns]
}

# The worker service (modules/worker_service) wired in behind enable_worker_service.

run "root_with_worker_service" {
  command = plan

  variables {
    enable_worker_service = true
    worker_image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gcl-worker:2026-12-03"
    temporal_address      = "ns.acct.tmprl.cloud:7233"
    temporal_namespace    = "ns.acct"
  }

  assert {
    condition     = module.worker_service[0].task_definition_arn != null && length(module.worker_service) == 1
    error_message = "enable_worker_service deploys the worker service."
  }

  assert {
    condition = {
      for name, value in module.worker_service[0].environment : name => value if startswith(name, "TF_VAR_")
      } == {
      TF_VAR_regions                  = "[\"us-east-1\",\"eu-west-1\"]"
      TF_VAR_management_region        = "us-east-1"
      TF_VAR_name_prefix              = "global-custom-labels"
      TF_VAR_project_name             = "AWSDeepRacer"
      TF_VAR_default_version_name     = "first"
      TF_VAR_max_training_hours       = "24"
      TF_VAR_min_inference_units      = "1"
      TF_VAR_poll_interval_seconds    = "300"
      TF_VAR_poll_policy              = "adaptive"
      TF_VAR_inference_ttl_hours      = "8"
      TF_VAR_temporal_task_queue      = "global-custom-labels"
      TF_VAR_inference_extra_projects = "[]"
    }
    error_message = "The deployed worker gets the deployment's settings (cost guard included) as TF_VAR_* values."
  }

  assert {
    condition     = module.worker_service[0].task_role_arn == module.management.worker_role_arn
    error_message = "The task role is the management module's least-privilege worker role."
  }
}
