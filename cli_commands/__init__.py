"""One module per command group of cli.py. Heavy libraries (temporalio, boto3) are imported inside functions."""
