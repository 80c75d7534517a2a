output "region" {
  description = "Region of this instance."
  value       = var.region
}

output "training_bucket_name" {
  description = "Regional training bucket name."
  value       = module.training_bucket.name
}

output "training_bucket_arn" {
  description = "Regional training bucket ARN (versioning enabled), the replication destination."
  value       = module.training_bucket.arn
}

output "output_bucket_name" {
  description = "Regional training output bucket name."
  value       = module.output_bucket.name
}

output "output_bucket_arn" {
  description = "Regional training output bucket ARN."
  value       = module.output_bucket.arn
}

output "lambda_function_name" {
  description = "Inference Lambda name."
  value       = aws_lambda_function.inference.function_name
}

output "lambda_function_arn" {
  description = "Inference Lambda ARN."
  value       = aws_lambda_function.inference.arn
}

output "alb_arn" {
  description = "ALB ARN (the Global Accelerator endpoint); available once the Lambda target is registered."
  value       = aws_lb.this.arn
  depends_on  = [aws_lb_target_group_attachment.lambda, aws_lb_listener.http]
}

output "alb_dns_name" {
  description = "Regional inference endpoint DNS name."
  value       = aws_lb.this.dns_name
}

output "target_group_arn" {
  description = "Lambda target group ARN."
  value       = aws_lb_target_group.lambda.arn
}

output "vpc_id" {
  description = "VPC holding the ALB."
  value       = aws_vpc.this.id
}

output "https_listener_certificate_arn" {
  description = "Certificate of the HTTPS:443 listener (null without alb_certificate_arn)."
  value       = one(aws_lb_listener.https[*].certificate_arn)
}
