# Names read by the CLI and the worker (configuration/resources.py): keep them exactly.

output "account_id" {
  description = "AWS account the stack is deployed in."
  value       = local.account_id
}

output "management_region" {
  description = "Region of the management bucket, the SNS topic and the worker."
  value       = var.management_region
}

output "regions" {
  description = "Regions with a training bucket, an output bucket and an inference endpoint."
  value       = var.regions
}

output "management_bucket" {
  description = "Management training bucket: upload datasets here, replication copies them to every region."
  value       = module.management.bucket_name
}

output "training_buckets" {
  description = "Regional training bucket per region (region => bucket name)."
  value       = { for region, instance in local.regional : region => instance.training_bucket_name }
}

output "output_buckets" {
  description = "Regional training output bucket per region (region => bucket name)."
  value       = { for region, instance in local.regional : region => instance.output_bucket_name }
}

output "sns_topic_arn" {
  description = "Topic every workflow publishes its result to."
  value       = module.management.sns_topic_arn
}

output "alb_dns_names" {
  description = "Regional inference endpoint per region (region => ALB DNS name)."
  value       = { for region, instance in local.regional : region => instance.alb_dns_name }
}

output "accelerator_dns_name" {
  description = "The global inference endpoint (null when Global Accelerator is disabled)."
  value       = one(module.global_accelerator[*].dns_name)

  precondition {
    # Global Accelerator health-checks port 80 only: a region without an HTTPS listener would look healthy and
    # refuse every connection on 443.
    condition     = !contains(var.accelerator_ports, 443) || alltrue([for region in var.regions : contains(keys(var.alb_certificate_arns), region)])
    error_message = "accelerator_ports includes 443: alb_certificate_arns needs an ACM certificate for every region in regions."
  }
}

output "worker_policy_arn" {
  description = "Least-privilege policy of the Temporal worker (attached to worker_role_arn; attach it elsewhere if the worker runs under another identity)."
  value       = module.management.worker_policy_arn
}

output "worker_role_arn" {
  description = "Role the Temporal worker can assume."
  value       = module.management.worker_role_arn
}

output "replication_role_arn" {
  description = "Role S3 assumes to replicate the management bucket to the regional training buckets."
  value       = module.management.replication_role_arn
}

output "worker_service" {
  description = "The deployed Temporal worker (null unless enable_worker_service): cluster_arn, service_name, task_definition_arn, log_group_name."
  value = one([for service in module.worker_service : {
    cluster_arn         = service.cluster_arn
    service_name        = service.service_name
    task_definition_arn = service.task_definition_arn
    log_group_name      = service.log_group_name
  }])
}
