# The task execution role: what ECS itself needs to start the worker (pull the image, write its log stream, read
# the Temporal secrets), nothing the worker's own code can use. The worker's AWS calls run as var.task_role_arn.

locals {
  # An ECR image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:tag|@digest]) needs pull permissions on its repository.
  ecr_match = regex("^(?:(?P<account>[0-9]{12})\\.dkr\\.ecr\\.(?P<region>[a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/(?P<repository>[^:@]+))?", var.image)
  ecr_repository_arn = local.ecr_match.account == null ? null : format(
    "arn:%s:ecr:%s:%s:repository/%s", var.partition, local.ecr_match.region, local.ecr_match.account, local.ecr_match.repository
  )

  # IAM names the secret itself: a valueFrom may add ":json-key:version-stage:version-id" after it.
  secret_arns = [for secret in local.secrets : join(":", slice(split(":", secret.valueFrom), 0, 7))]

  execution_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "WriteWorkerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.worker.arn}:*"
      }],
      local.ecr_repository_arn == null ? [] : [
        {
          # GetAuthorizationToken has no resource-level permissions.
          Sid      = "EcrLogin"
          Effect   = "Allow"
          Action   = ["ecr:GetAuthorizationToken"]
          Resource = "*"
        },
        {
          Sid      = "PullWorkerImage"
          Effect   = "Allow"
          Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
          Resource = local.ecr_repository_arn
        },
      ],
      length(local.secret_arns) == 0 ? [] : [{
        Sid      = "ReadTemporalCredentials"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = local.secret_arns
      }],
      var.secrets_kms_key_arn == null ? [] : [{
        Sid       = "DecryptTemporalCredentials"
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = var.secrets_kms_key_arn
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" } }
      }],
    )
  }
}

resource "aws_iam_role" "execution" {
  # IAM is global: the region keeps two deployments of one prefix in different management regions apart.
  name        = "${var.name_prefix}-worker-execution-${var.region}"
  description = "ECS task execution role of the ${var.name_prefix} Temporal worker"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = jsonencode(local.execution_policy)
}
