# The worker on ECS Fargate (modules/worker_service): task role = the worker role, Temporal credentials only as
# secrets from Secrets Manager, least-privilege execution role, logs to its own log group, egress-only security
# group in private subnets (its wiring into the root module: root_two_regions.tftest.hcl).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  # modules/worker_service
  name_prefix   = "global-custom-labels"
  region        = "us-east-1"
  account_id    = "123456789012"
  image         = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gcl-worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  task_role_arn = "arn:aws:iam::123456789012:role/global-custom-labels-worker"

  temporal_address            = "ns.acct.tmprl.cloud:7233"
  temporal_namespace          = "ns.acct"
  temporal_api_key_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:temporal-api-key-AbCdEf:key::"
  settings_environment        = { TF_VAR_regions = "[\"us-east-1\",\"eu-west-1\"]" }
}

run "worker_defaults_in_its_own_vpc" {
  command = plan

  module {
    source = "./modules/worker_service"
  }

  assert {
    condition = (aws_ecs_task_definition.worker.requires_compatibilities == toset(["FARGATE"]) &&
      aws_ecs_task_definition.worker.network_mode == "awsvpc" &&
    aws_ecs_task_definition.worker.task_role_arn == "arn:aws:iam::123456789012:role/global-custom-labels-worker")
    error_message = "A Fargate task whose AWS calls run as the worker role."
  }

  assert {
    condition     = aws_ecs_task_definition.worker.execution_role_arn != aws_ecs_task_definition.worker.task_role_arn
    error_message = "ECS's own needs (pull, logs, secrets) go to a separate execution role, not to the worker."
  }

  assert {
    condition = (jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].image == var.image &&
      jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].readonlyRootFilesystem == true &&
    jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].user == "10001:10001")
    error_message = "The pinned image runs as the image's non-root user on a read-only root filesystem."
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].logConfiguration == {
      logDriver = "awslogs"
      options = {
        awslogs-group         = "/ecs/global-custom-labels-worker"
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = "worker"
      }
    }
    error_message = "Logs go to the module's own log group (no awslogs-create-group: nothing outlives a destroy)."
  }

  assert {
    condition = (aws_cloudwatch_log_group.worker.name == "/ecs/global-custom-labels-worker" &&
    aws_cloudwatch_log_group.worker.retention_in_days == 365)
    error_message = "The log group is Terraform's, with a retention."
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].secrets == [{
      name      = "TEMPORAL_API_KEY"
      valueFrom = "arn:aws:secretsmanager:us-east-1:123456789012:secret:temporal-api-key-AbCdEf:key::"
    }]
    error_message = "The Temporal API key reaches the worker only as an ECS secret from Secrets Manager."
  }

  assert {
    condition = {
      for pair in jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].environment : pair.name => pair.value
      if contains(["TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TF_VAR_regions", "GCL_ACCOUNT_ID"], pair.name)
      } == {
      TEMPORAL_ADDRESS   = "ns.acct.tmprl.cloud:7233"
      TEMPORAL_NAMESPACE = "ns.acct"
      TF_VAR_regions     = "[\"us-east-1\",\"eu-west-1\"]"
      GCL_ACCOUNT_ID     = "123456789012"
    }
    error_message = "Temporal address and namespace and the shared settings come from variables."
  }

  assert {
    condition = alltrue([for pair in jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].environment :
    !startswith(pair.name, "TEMPORAL_API_KEY") && !startswith(pair.name, "TEMPORAL_TLS")])
    error_message = "No credential in the plain environment of the task definition."
  }

  assert {
    condition = {
      for statement in jsondecode(aws_iam_role_policy.execution.policy).Statement : statement.Sid => statement.Resource
      } == {
      WriteWorkerLogs         = "arn:aws:logs:us-east-1:123456789012:log-group:mock-log-group:*"
      EcrLogin                = "*"
      PullWorkerImage         = "arn:aws:ecr:us-east-1:123456789012:repository/gcl-worker"
      ReadTemporalCredentials = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:temporal-api-key-AbCdEf"]
    }
    error_message = "The execution role may write its log stream, pull its one repository and read exactly the given secrets."
  }

  assert {
    condition = jsondecode(aws_iam_role.execution.assume_role_policy).Statement[0] == {
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }
    error_message = "Only ECS tasks of this account assume the execution role."
  }

  assert {
    condition = (aws_ecs_service.worker.desired_count == 1 && aws_ecs_service.worker.launch_type == "FARGATE" &&
      aws_ecs_service.worker.network_configuration[0].assign_public_ip == false &&
    length(output.subnet_ids) == 2)
    error_message = "One worker by default, in two private subnets without a public IP."
  }

  assert {
    condition     = length(aws_vpc.this) == 1 && length(aws_nat_gateway.this) == 1 && length(aws_subnet.private) == 2
    error_message = "Without subnet_ids the module makes a small VPC whose private subnets go out through one NAT gateway."
  }

  assert {
    condition = (toset([for rule in aws_vpc_security_group_egress_rule.worker : rule.from_port]) == toset([443, 7233]) &&
    alltrue([for rule in aws_vpc_security_group_egress_rule.worker : rule.ip_protocol == "tcp"]))
    error_message = "Egress only to HTTPS (AWS APIs) and the Temporal port; the module has no ingress rule at all."
  }

  assert {
    condition     = one(aws_ecs_cluster.this.setting).value == "enabled"
    error_message = "Container Insights is on by default."
  }
}

run "worker_in_given_subnets_with_mtls" {
  command = plan

  module {
    source = "./modules/worker_service"
  }

  variables {
    image                        = "registry.example.com/gcl/worker:1.4.2"
    temporal_address             = "temporal.internal:7233"
    temporal_api_key_secret_arn  = null
    temporal_tls_cert_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:worker-cert-AbCdEf"
    temporal_tls_key_secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:worker-key-AbCdEf"
    secrets_kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    subnet_ids                   = ["subnet-0a", "subnet-0b"]
    vpc_id                       = "vpc-0123"
    desired_count                = 2
  }

  assert {
    condition     = length(aws_vpc.this) == 0 && length(aws_nat_gateway.this) == 0 && aws_security_group.worker.vpc_id == "vpc-0123"
    error_message = "Given subnets: no VPC or NAT of its own."
  }

  assert {
    condition = (aws_ecs_service.worker.network_configuration[0].subnets == toset(["subnet-0a", "subnet-0b"]) &&
    aws_ecs_service.worker.desired_count == 2)
    error_message = "The service runs desired_count tasks in the given subnets."
  }

  assert {
    condition = [for secret in jsondecode(aws_ecs_task_definition.worker.container_definitions)[0].secrets : secret.name] == [
      "TEMPORAL_TLS_CLIENT_CERT_DATA", "TEMPORAL_TLS_CLIENT_KEY_DATA",
    ]
    error_message = "mTLS material arrives as the two envconfig variables the worker reads."
  }

  assert {
    condition = (one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s if s.Sid == "DecryptTemporalCredentials"]).Condition ==
      { StringEquals = { "kms:ViaService" = "secretsmanager.us-east-1.amazonaws.com" } } &&
    length([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s if s.Sid == "PullWorkerImage"]) == 0)
    error_message = "The key decrypts only through Secrets Manager; an image outside ECR needs no ECR permission."
  }
}

run "worker_rejects_unpinned_images" {
  command = plan

  module {
    source = "./modules/worker_service"
  }

  variables {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gcl-worker:latest"
  }

  expect_failures = [var.image]
}

run "worker_needs_both_halves_of_mtls" {
  command = plan

  module {
    source = "./modules/worker_service"
  }

  variables {
    temporal_tls_cert_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:worker-cert-AbCdEf"
  }

  expect_failures = [aws_ecs_task_definition.worker]
}
