output "bucket_name" {
  description = "Management training bucket name."
  value       = module.bucket.name
}

output "bucket_arn" {
  description = "Management training bucket ARN."
  value       = module.bucket.arn
}

output "replication_role_arn" {
  description = "Role S3 assumes to replicate."
  value       = aws_iam_role.replication.arn
}

output "replication_rules" {
  description = "Replication rules as declared: list of { region, bucket_arn, priority }."
  value       = local.replication_rules
}

output "sns_topic_arn" {
  description = "Notification topic ARN."
  value       = aws_sns_topic.notifications.arn
}

output "worker_policy_arn" {
  description = "Least-privilege policy of the Temporal worker."
  value       = aws_iam_policy.worker.arn
}

output "worker_policy_json" {
  description = "The worker policy document (JSON)."
  value       = aws_iam_policy.worker.policy
}

output "worker_role_arn" {
  description = "Role the Temporal worker can assume."
  value       = aws_iam_role.worker.arn
}
