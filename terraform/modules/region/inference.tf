# The regional inference Lambda (Python, zip built by `python -m inference.package`): calls
# DetectCustomLabels on the region's running model and answers the ALB health check.

locals {
  runtime = "python3.12"
  # AWS Lambda Powertools (inference/request_log.py) from the layer AWS publishes in every region, for this runtime.
  powertools_layer_arn = "arn:${var.partition}:lambda:${var.region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-${replace(local.runtime, ".", "")}-x86_64:${var.powertools_layer_version}"

  log_group_name = "/aws/lambda/${local.function_name}"
  log_group_arn  = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${local.log_group_name}"
  # project/NAME/* covers the project ARN (DescribeProjectVersions) and its versions (DetectCustomLabels).
  projects_arns = [for name in var.served_projects : "arn:${var.partition}:rekognition:${var.region}:${var.account_id}:project/${name}/*"]

  api_key_parameter_arn = var.api_key_parameter_name == null ? null : "arn:${var.partition}:ssm:${var.region}:${var.account_id}:parameter/${trimprefix(var.api_key_parameter_name, "/")}"

  inference_policy = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.log_group_arn}:*"
      },
      {
        Sid      = "DetectWithRegionalModels"
        Effect   = "Allow"
        Action   = ["rekognition:DetectCustomLabels", "rekognition:DescribeProjectVersions"]
        Resource = local.projects_arns
      },
      {
        # DescribeProjects has no resource-level permissions.
        Sid      = "FindProjects"
        Effect   = "Allow"
        Action   = "rekognition:DescribeProjects"
        Resource = "*"
      },
      {
        # X-Ray has no resource-level permissions.
        Sid      = "Tracing"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
      ], var.api_key_parameter_name == null ? [] : [
      {
        # SecureString under the AWS-managed aws/ssm key: its key policy lets SSM decrypt for the caller.
        Sid      = "ReadApiKey"
        Effect   = "Allow"
        Action   = "ssm:GetParameter"
        Resource = local.api_key_parameter_arn
      },
    ])
  }
}

resource "aws_iam_role" "inference" {
  # IAM is global: the region in the name keeps the eleven roles apart.
  name        = "${var.name_prefix}-inference-${var.region}"
  description = "Inference Lambda in ${var.region}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "inference" {
  name   = "inference"
  role   = aws_iam_role.inference.id
  policy = jsonencode(local.inference_policy)
}

resource "aws_cloudwatch_log_group" "inference" {
  #checkov:skip=CKV_AWS_158:Logs hold request metadata only (no images); CloudWatch Logs encrypts them at rest with its own keys.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "inference" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by the ALB, so there is no failed event to keep in a dead-letter queue.
  #checkov:skip=CKV_AWS_117:Outside a VPC on purpose: it only calls the public Rekognition endpoint, a VPC would need NAT or an interface endpoint per region.
  #checkov:skip=CKV_AWS_272:The zip is built from this repository by `python -m inference.package`; code signing would need a signer profile per region.
  #checkov:skip=CKV_AWS_173:The environment holds only names, paths and a cache TTL; the API key itself stays in SSM Parameter Store (only its parameter name is here).
  function_name    = local.function_name
  description      = "Runs DetectCustomLabels on the region's model; answers the ALB health check"
  role             = aws_iam_role.inference.arn
  runtime          = local.runtime
  architectures    = ["x86_64"]
  layers           = [local.powertools_layer_arn]
  handler          = "handler.lambda_handler"
  filename         = var.lambda_zip_path
  source_code_hash = fileexists(var.lambda_zip_path) ? filebase64sha256(var.lambda_zip_path) : null
  memory_size      = var.lambda_memory_mb
  timeout          = var.lambda_timeout_seconds
  # null: no reservation (a reservation needs quota headroom: Lambda keeps 100 unreserved per region).
  reserved_concurrent_executions = var.lambda_reserved_concurrency

  environment {
    variables = merge(
      {
        DEFAULT_PROJECT_NAME = var.project_name
        DEFAULT_VERSION_NAME = var.default_version_name
        CACHE_TTL_SECONDS    = tostring(var.inference_cache_ttl_seconds)
        HEALTH_CHECK_PATH    = var.health_check_path
        ALLOWED_PROJECTS     = join(",", var.served_projects)
      },
      var.api_key_parameter_name == null ? {} : {
        API_KEY_PARAMETER = var.api_key_parameter_name
        API_KEY_HEADER    = var.api_key_header
      },
    )
  }

  # PassThrough: only requests that arrive sampled are traced, so ALB health checks never are.
  tracing_config {
    mode = var.lambda_tracing_mode
  }

  lifecycle {
    precondition {
      condition     = fileexists(var.lambda_zip_path)
      error_message = "Inference Lambda zip ${var.lambda_zip_path} not found: build it with `python -m inference.package --output build/inference-lambda.zip` or set lambda_zip_path."
    }
  }

  depends_on = [aws_cloudwatch_log_group.inference, aws_iam_role_policy.inference]
}
