output "cluster_arn" {
  description = "ECS cluster running the worker."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "ECS service of the worker (scale with desired_count)."
  value       = aws_ecs_service.worker.name
}

output "task_definition_arn" {
  description = "Task definition revision the service runs."
  value       = aws_ecs_task_definition.worker.arn
}

output "execution_role_arn" {
  description = "Task execution role (image pull, log stream, Temporal secrets)."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the worker."
  value       = aws_cloudwatch_log_group.worker.name
}

output "security_group_id" {
  description = "Egress-only security group of the worker tasks."
  value       = aws_security_group.worker.id
}

output "vpc_id" {
  description = "VPC the worker runs in (created or given)."
  value       = local.vpc_id
}

output "subnet_ids" {
  description = "Private subnets the worker runs in."
  value       = local.subnet_ids
}

output "task_role_arn" {
  description = "Role the worker's own AWS calls run as (the task role)."
  value       = aws_ecs_task_definition.worker.task_role_arn
}

output "environment" {
  description = "The plain environment of the worker container (settings, Temporal address; never credentials, which are ECS secrets)."
  value       = local.environment
}
