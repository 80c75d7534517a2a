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

# The default: every Custom Labels region (eleven).

run "every_region" {
  command = plan

  assert {
    condition     = length(output.training_buckets) == 11 && length(output.output_buckets) == 11 && length(output.alb_dns_names) == 11
    error_message = "Eleven regions: eleven training buckets, output buckets and ALBs."
  }

  assert {
    condition     = length(module.management.replication_rules) == 11
    error_message = "One replication rule per region."
  }

  assert {
    condition     = length(distinct([for rule in module.management.replication_rules : rule.priority])) == 11
    error_message = "Replication rule priorities must be unique."
  }

  assert {
    condition     = length(module.global_accelerator[0].endpoint_group_regions) == 11
    error_message = "One endpoint group per region."
  }

  assert {
    condition = alltrue([for region, name in output.training_buckets :
    name == "global-custom-labels-train-123456789012-${region}" && length(name) <= 63])
    error_message = "Training bucket names follow the naming rule and fit S3's 63 characters."
  }

  assert {
    condition = alltrue([for region, name in output.output_buckets :
    name == "global-custom-labels-output-123456789012-${region}" && length(name) <= 63])
    error_message = "Output bucket names follow the naming rule and fit S3's 63 characters."
  }
}
