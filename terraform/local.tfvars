# The embedded local stack (python cli.py local up / make demo) reads this file instead of
# terraform.tfvars: every region, but seconds instead of minutes. poll_policy is "fixed" because
# adaptive's quiet periods are AWS's real durations (30-minute trainings), not the emulator's seconds.
regions               = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"]
management_region     = "us-east-1"
project_name          = "AWSDeepRacer"
max_training_hours    = 1
poll_interval_seconds = 2
poll_policy           = "fixed"
min_inference_units   = 1
