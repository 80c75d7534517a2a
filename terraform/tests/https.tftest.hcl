# HTTPS end to end: an ACM certificate per region gives each ALB an HTTPS:443 listener with a TLS 1.3 policy,
# the accelerator forwards 443, and a 443 without a certificate in every region is refused at plan time
# (Global Accelerator health-checks port 80 only, so such a region would look healthy and refuse HTTPS).

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

variables {
  regions = ["us-east-1", "eu-west-1"]
  alb_certificate_arns = {
    "us-east-1" = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    "eu-west-1" = "arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
  }
  accelerator_ports = [80, 443]
}

run "https_in_every_region_and_on_the_accelerator" {
  command = plan

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
