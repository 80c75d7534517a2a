output "name" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "Bucket ARN, available once versioning is on (replication needs it on both ends)."
  value       = local.bucket_arn
  depends_on  = [aws_s3_bucket.this, aws_s3_bucket_versioning.this]
}

output "policy" {
  description = "The bucket policy document as applied (JSON)."
  value       = aws_s3_bucket_policy.this.policy
}

output "force_destroy" {
  description = "Whether `terraform destroy` may delete the bucket with its objects."
  value       = aws_s3_bucket.this.force_destroy
}
