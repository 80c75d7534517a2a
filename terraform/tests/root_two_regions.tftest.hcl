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
