output "dns_name" {
  description = "DNS name of the global inference endpoint."
  value       = aws_globalaccelerator_accelerator.this.dns_name
}

output "accelerator_arn" {
  description = "Accelerator ARN."
  value       = aws_globalaccelerator_accelerator.this.id
}

output "listener_arn" {
  description = "Listener ARN."
  value       = aws_globalaccelerator_listener.this.id
}

output "endpoint_group_regions" {
  description = "Regions that have an endpoint group."
  value       = sort(keys(aws_globalaccelerator_endpoint_group.this))
}

output "ports" {
  description = "TCP ports the listener forwards to the ALBs."
  value       = [for range in aws_globalaccelerator_listener.this.port_range : range.from_port]
}
