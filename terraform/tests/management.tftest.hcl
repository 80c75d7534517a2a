# Unit tests of modules/management: replication (one rule per region, delete markers, unique
# priorities, minimal role), encrypted topic, least-privilege worker policy.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "global-custom-labels"
  region      = "us-east-1"
  account_id  = "123456789012"
  bucket_name = "global-custom-labels-mgmt-123456789012-us-east-1"
  topic_name  = "global-custom-labels-notifications"
  replication_destinations = {
    "us-east-1"      = { bucket_arn = "arn:aws:s3:::global-custom-labels-train-123456789012-us-east-1", priority = 0 }
    "eu-west-1"      = { bucket_arn = "arn:aws:s3:::global-custom-labels-train-123456789012-eu-west-1", priority = 3 }
    "ap-southeast-2" = { bucket_arn = "arn:aws:s3:::global-custom-labels-train-123456789012-ap-southeast-2", priority = 8 }
  }
  worker_regions       = ["us-east-1", "eu-west-1", "ap-southeast-2"]
  worker_project_names = ["AWSDeepRacer"]
  worker_bucket_arns = [
    "arn:aws:s3:::global-custom-labels-train-123456789012-us-east-1",
    "arn:aws:s3:::global-custom-labels-train-123456789012-eu-west-1",
    "arn:aws:s3:::global-custom-labels-train-123456789012-ap-southeast-2",
  ]
  worker_output_bucket_arns = [
    "arn:aws:s3:::global-custom-labels-output-123456789012-us-east-1",
    "arn:aws:s3:::global-custom-labels-output-123456789012-eu-west-1",
    "arn:aws:s3:::global-custom-labels-output-123456789012-ap-southeast-2",
  ]
}

run "management" {
  command = plan

  module {
    source = "./modules/management"
  }

  # Replication.
  assert {
    condition     = length(aws_s3_bucket_replication_configuration.this[0].rule) == 3
    error_message = "One replication rule per regional bucket."
  }

  assert {
    condition     = length(distinct(aws_s3_bucket_replication_configuration.this[0].rule[*].priority)) == 3
    error_message = "Replication rule priorities must be unique."
  }

  assert {
    condition     = alltrue([for rule in aws_s3_bucket_replication_configuration.this[0].rule : rule.status == "Enabled" && rule.delete_marker_replication[0].status == "Enabled"])
    error_message = "Every rule is enabled and replicates delete markers."
  }

  assert {
    condition = toset([for rule in aws_s3_bucket_replication_configuration.this[0].rule : rule.destination[0].bucket]) == toset([
      "arn:aws:s3:::global-custom-labels-train-123456789012-us-east-1",
      "arn:aws:s3:::global-custom-labels-train-123456789012-eu-west-1",
      "arn:aws:s3:::global-custom-labels-train-123456789012-ap-southeast-2",
    ])
    error_message = "Each regional training bucket is a destination."
  }

  assert {
    condition = toset(flatten([for statement in jsondecode(aws_iam_role_policy.replication.policy).Statement : statement.Action])) == toset([
      "s3:GetReplicationConfiguration", "s3:ListBucket",
      "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
      "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags",
    ])
    error_message = "The replication role has exactly the permissions replication needs."
  }

  assert {
    condition     = jsondecode(aws_iam_role.replication.assume_role_policy).Statement[0].Principal.Service == "s3.amazonaws.com"
    error_message = "Only S3 assumes the replication role."
  }

  # Topic.
  assert {
    condition     = aws_sns_topic.notifications.name == "global-custom-labels-notifications" && aws_sns_topic.notifications.kms_master_key_id == "alias/aws/sns"
    error_message = "The topic is {prefix}-notifications and encrypted."
  }

  # Worker.
  assert {
    condition = toset(flatten([for statement in jsondecode(aws_iam_policy.worker.policy).Statement : statement.Action])) == toset([
      "rekognition:CreateProject", "rekognition:DescribeProjects", "rekognition:CreateProjectVersion",
      "rekognition:DescribeProjectVersions", "rekognition:StartProjectVersion", "rekognition:StopProjectVersion",
      "rekognition:DeleteProjectVersion", "rekognition:DeleteProject", "rekognition:DeleteDataset", "rekognition:ListDatasetEntries",
      "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:PutObject",
      "s3:AbortMultipartUpload", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketAcl",
      "sns:Publish", "sts:GetCallerIdentity",
    ])
    error_message = "The worker may call exactly the Rekognition, S3, SNS and STS actions it uses."
  }

  assert {
    condition = alltrue(flatten([for policy in [aws_iam_policy.worker.policy, aws_iam_role_policy.replication.policy] : [
      for statement in jsondecode(policy).Statement : !contains(flatten([statement.Action]), "*")
    ]]))
    error_message = "No IAM statement may allow every action."
  }

  assert {
    condition = one([for statement in jsondecode(aws_iam_policy.worker.policy).Statement : statement.Resource if statement.Sid == "ListDatasets"]) == [
      "arn:aws:s3:::global-custom-labels-mgmt-123456789012-us-east-1",
      "arn:aws:s3:::global-custom-labels-train-123456789012-us-east-1",
      "arn:aws:s3:::global-custom-labels-train-123456789012-eu-west-1",
      "arn:aws:s3:::global-custom-labels-train-123456789012-ap-southeast-2",
    ]
    error_message = "The worker lists only the management and training buckets."
  }

  assert {
    condition = one([for statement in jsondecode(aws_iam_policy.worker.policy).Statement : statement.Resource if statement.Sid == "WriteTrainingOutput"]) == [
      "arn:aws:s3:::global-custom-labels-output-123456789012-us-east-1/*",
      "arn:aws:s3:::global-custom-labels-output-123456789012-eu-west-1/*",
      "arn:aws:s3:::global-custom-labels-output-123456789012-ap-southeast-2/*",
    ]
    error_message = "Training writes to the output buckets with the worker's permissions (Custom Labels uses the caller's)."
  }

  assert {
    condition = one([for statement in jsondecode(aws_iam_policy.worker.policy).Statement : statement.Resource if statement.Sid == "ManageCustomLabelsModels"]) == [
      "arn:aws:rekognition:us-east-1:123456789012:project/AWSDeepRacer/*",
      "arn:aws:rekognition:eu-west-1:123456789012:project/AWSDeepRacer/*",
      "arn:aws:rekognition:ap-southeast-2:123456789012:project/AWSDeepRacer/*",
    ]
    error_message = "The worker manages only the configured project, in the configured regions of this account."
  }

  assert {
    condition     = one([for statement in jsondecode(aws_iam_policy.worker.policy).Statement : statement.Resource if statement.Sid == "Notify"]) == aws_sns_topic.notifications.arn
    error_message = "The worker publishes only to the topic."
  }
}

run "rejects_duplicate_priorities" {
  command = plan

  module {
    source = "./modules/management"
  }

  variables {
    replication_destinations = {
      "us-east-1" = { bucket_arn = "arn:aws:s3:::a", priority = 1 }
      "eu-west-1" = { bucket_arn = "arn:aws:s3:::b", priority = 1 }
    }
  }

  expect_failures = [var.replication_destinations]
}
