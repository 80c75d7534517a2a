# Provider 5.x cannot iterate providers, so every Custom Labels region has its own alias;
# main.tf enables a region's module only when var.regions lists it.
# Every provider shares the local-endpoint switch (var.aws_endpoint_url) and the default tags.

# The management region: management bucket, replication role, SNS topic, worker IAM, account lookup.
provider "aws" {
  region = var.management_region

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

# Global Accelerator's API is served from us-west-2 whatever the regions.
provider "aws" {
  alias  = "global_accelerator"
  region = "us-west-2"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "us_east_2"
  region = "us-east-2"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "us_west_2"
  region = "us-west-2"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "eu_west_2"
  region = "eu-west-2"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "eu_central_1"
  region = "eu-central-1"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "ap_south_1"
  region = "ap-south-1"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "ap_southeast_1"
  region = "ap-southeast-1"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "ap_southeast_2"
  region = "ap-southeast-2"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "ap_northeast_1"
  region = "ap-northeast-1"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "ap_northeast_2"
  region = "ap-northeast-2"

  skip_credentials_validation = local.use_local_endpoint
  skip_requesting_account_id  = local.use_local_endpoint
  skip_metadata_api_check     = local.use_local_endpoint ? "true" : null
  s3_use_path_style           = local.use_local_endpoint

  endpoints {
    cloudwatchlogs    = var.aws_endpoint_url
    ec2               = var.aws_endpoint_url
    ecs               = var.aws_endpoint_url
    elbv2             = var.aws_endpoint_url
    globalaccelerator = var.aws_endpoint_url
    iam               = var.aws_endpoint_url
    lambda            = var.aws_endpoint_url
    s3                = var.aws_endpoint_url
    sns               = var.aws_endpoint_url
    sts               = var.aws_endpoint_url
  }

  default_tags {
    tags = local.tags
  }
}
