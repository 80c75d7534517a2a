# What the Temporal worker's activities call, and nothing else.

locals {
  worker_bucket_arns         = concat([local.bucket_arn], var.worker_bucket_arns)
  worker_bucket_arns_objects = [for arn in local.worker_bucket_arns : "${arn}/*"]

  # adopt copies the source images server-side: CopyObject reads the source with the caller's permissions.
  adopt_statements = length(var.adopt_source_bucket_arns) == 0 ? [] : [{
    Sid      = "ReadImagesToAdopt"
    Effect   = "Allow"
    Action   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"]
    Resource = [for arn in var.adopt_source_bucket_arns : "${arn}/*"]
  }]

  worker_policy = {
    Version = "2012-10-17"
    Statement = concat(local.adopt_statements, [
      {
        Sid    = "ManageCustomLabelsModels"
        Effect = "Allow"
        Action = [
          "rekognition:CreateProject",
          "rekognition:CreateProjectVersion",
          "rekognition:DescribeProjectVersions",
          "rekognition:StartProjectVersion",
          "rekognition:StopProjectVersion",
          "rekognition:DeleteProjectVersion",
          "rekognition:DeleteProject",
          "rekognition:DeleteDataset", # datasets a version was trained from, deleted with the project
        ]
        # Only the configured projects: project/NAME/* is the project and its versions.
        Resource = flatten([for region in var.worker_regions : [
          for name in var.worker_project_names : "arn:${var.partition}:rekognition:${region}:${var.account_id}:project/${name}/*"
        ]])
      },
      {
        # adopt (issue 18) reads the configured projects made elsewhere (the console, another region): their versions
        # and dataset entries, read-only, in any region, since the source region need not be one of worker_regions.
        Sid      = "ReadProjectsToAdopt"
        Effect   = "Allow"
        Action   = ["rekognition:DescribeProjectVersions", "rekognition:ListDatasetEntries"]
        Resource = [for name in var.worker_project_names : "arn:${var.partition}:rekognition:*:${var.account_id}:project/${name}/*"]
      },
      {
        # DescribeProjects has no resource-level permissions.
        Sid      = "FindProjects"
        Effect   = "Allow"
        Action   = "rekognition:DescribeProjects"
        Resource = "*"
      },
      {
        # GetObject also covers HeadObject (replication status of the datasets). Custom Labels reads the training
        # images and manifests with the caller's permissions (Custom Labels guide, "Set up SDK permissions"): the
        # object reads of AmazonRekognitionCustomLabelsFullAccess. AbortMultipartUpload: a regional manifest
        # upload that fails is aborted, not left billing as parts.
        Sid    = "ReadWriteDatasets"
        Effect = "Allow"
        Action = [
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:GetObjectAcl",
          "s3:GetObjectTagging",
          "s3:PutObject",
          "s3:AbortMultipartUpload",
        ]
        Resource = local.worker_bucket_arns_objects
      },
      {
        Sid      = "ListDatasets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketAcl"]
        Resource = local.worker_bucket_arns
      },
      {
        # Training writes its evaluation and manifests to the output bucket with the caller's permissions.
        Sid      = "WriteTrainingOutput"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = [for arn in var.worker_output_bucket_arns : "${arn}/*"]
      },
      {
        # read_evaluation: the evaluation summary a training wrote (F1, precision, recall, test images).
        Sid      = "ReadEvaluationSummaries"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = [for arn in var.worker_output_bucket_arns : "${arn}/*/EvaluationSummary-*.json"]
      },
      {
        Sid      = "LocateTrainingOutput"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:GetBucketAcl"]
        Resource = var.worker_output_bucket_arns
      },
      {
        Sid      = "Notify"
        Effect   = "Allow"
        Action   = "sns:Publish"
        Resource = aws_sns_topic.notifications.arn
      },
      {
        # Needs no permission, listed to document that the worker derives bucket names from it.
        Sid      = "WhoAmI"
        Effect   = "Allow"
        Action   = "sts:GetCallerIdentity"
        Resource = "*"
      },
    ])
  }

  # Services (ECS tasks) may assume the role only on behalf of this account (confused-deputy guard,
  # aws:SourceAccount); IAM principals are named one by one in their own statement.
  worker_trust_statements = concat(
    length(var.worker_trusted_service_principals) == 0 ? [] : [{
      Sid       = "TrustedServices"
      Effect    = "Allow"
      Principal = { Service = var.worker_trusted_service_principals }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }],
    length(var.worker_trusted_role_arns) == 0 ? [] : [{
      Sid       = "TrustedPrincipals"
      Effect    = "Allow"
      Principal = { AWS = var.worker_trusted_role_arns }
      Action    = "sts:AssumeRole"
    }],
  )
}

resource "aws_iam_policy" "worker" {
  name        = "${var.name_prefix}-worker"
  description = "Temporal worker of ${var.name_prefix}: Custom Labels lifecycle, datasets, notifications"
  policy      = jsonencode(local.worker_policy)
}

resource "aws_iam_role" "worker" {
  name        = "${var.name_prefix}-worker"
  description = "Role the Temporal worker of ${var.name_prefix} runs as"

  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.worker_trust_statements
  })

  lifecycle {
    precondition {
      condition     = length(local.worker_trust_statements) > 0
      error_message = "The worker role needs someone to trust: set worker_trusted_service_principals or worker_trusted_role_arns."
    }
  }
}

resource "aws_iam_role_policy_attachment" "worker" {
  role       = aws_iam_role.worker.name
  policy_arn = aws_iam_policy.worker.arn
}
