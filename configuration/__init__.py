"""One source of truth for regions, names and timings, shared with Terraform."""
