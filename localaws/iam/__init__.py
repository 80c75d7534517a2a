"""IAM enforcement of the local endpoint: who signed a request, what it asks for, whether policies allow it.

Off unless `--enforce-iam` or `POST /_emulator/config {"iam": {"enforce": true}}`. Only keys the endpoint
issued (IAM users' access keys, STS sessions) are checked; any other key is the account root.
"""
