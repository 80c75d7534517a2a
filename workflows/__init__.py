"""Temporal workflows: pure orchestration, no boto3 and no I/O (activities/ does the AWS calls)."""
