# The Temporal worker (`python worker.py` in the image built from the repository's Dockerfile) as an ECS
# Fargate service in the management region: its AWS calls run as the least-privilege worker role (task role),
# its Temporal credentials come from Secrets Manager (injected by ECS, never in the task definition), its logs
# go to a log group this module owns (so `terraform destroy` removes it and a second apply finds no leftover).

locals {
  container_name = "worker"
  log_group_name = "/ecs/${var.name_prefix}-worker"

  # ECS injects each secret as an environment variable the worker's temporalio.envconfig reads.
  secrets = [for name, arn in {
    TEMPORAL_API_KEY              = var.temporal_api_key_secret_arn
    TEMPORAL_TLS_CLIENT_CERT_DATA = var.temporal_tls_cert_secret_arn
    TEMPORAL_TLS_CLIENT_KEY_DATA  = var.temporal_tls_key_secret_arn
  } : { name = name, valueFrom = arn } if arn != null]

  environment = merge(
    var.settings_environment,
    {
      TEMPORAL_ADDRESS   = var.temporal_address
      TEMPORAL_NAMESPACE = var.temporal_namespace
      # Names come from the naming rule (no terraform binary in the image); the account needs no STS call.
      GCL_ACCOUNT_ID             = var.account_id
      GCL_IGNORE_TERRAFORM_STATE = "1"
      AWS_REGION                 = var.region
      AWS_DEFAULT_REGION         = var.region
    },
    var.metrics_port == null ? {} : { GCL_WORKER_METRICS_BIND = "0.0.0.0:${var.metrics_port}" },
  )

  container_definition = {
    name      = local.container_name
    image     = var.image
    essential = true
    # The image's entrypoint is `python worker.py`; it stops gracefully on SIGTERM (running activities finish).
    stopTimeout            = 120
    readonlyRootFilesystem = true
    user                   = "10001:10001"
    environment            = [for name in sort(keys(local.environment)) : { name = name, value = local.environment[name] }]
    secrets                = local.secrets
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    portMappings           = var.metrics_port == null ? [] : [{ containerPort = var.metrics_port, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = local.container_name
      }
    }
  }
}

resource "aws_cloudwatch_log_group" "worker" {
  #checkov:skip=CKV_AWS_158:Encryption at rest is CloudWatch Logs' own unless log_kms_key_arn names a customer key (whose key policy must admit the logs service); the worker logs no secrets (they arrive as ECS secrets and are never printed).
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
}

resource "aws_ecs_cluster" "this" {
  name = "${var.name_prefix}-worker"

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name_prefix}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = var.task_role_arn
  container_definitions    = jsonencode([local.container_definition])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Fargate task storage, so the root filesystem can stay read-only.
  volume {
    name = "tmp"
  }

  lifecycle {
    precondition {
      condition     = (var.temporal_tls_cert_secret_arn == null) == (var.temporal_tls_key_secret_arn == null)
      error_message = "Set temporal_tls_cert_secret_arn and temporal_tls_key_secret_arn together (mTLS needs both), or neither."
    }
  }
}

resource "aws_ecs_service" "worker" {
  name            = "${var.name_prefix}-worker"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.worker.arn
  desired_count   = var.desired_count
  launch_type     = "FARGATE"
  # A worker has no listener: a rolling deployment may run old and new side by side (Temporal shares the queue).
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.subnet_ids
    security_groups  = [aws_security_group.worker.id]
    assign_public_ip = false
  }

  # The log group and the execution role's policy must exist before a task starts, and outlive the last one.
  depends_on = [aws_cloudwatch_log_group.worker, aws_iam_role_policy.execution, aws_route.private_nat]
}
