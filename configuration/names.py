"""Name rules of Rekognition and the naming rule shared with terraform/locals.tf.

Pure functions only: workflows import this module, so no I/O and no boto3.
"""

import re

NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.\-]{1,255}")


class InvalidNameError(ValueError):
    """A project or version name Rekognition would refuse."""


def validate_name(kind: str, value: str) -> str:
    """Raise one readable line for a name Rekognition would reject with InvalidParameterException."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        raise InvalidNameError(f"invalid {kind} {value!r}: use 1-255 characters of letters, digits, '_', '.', '-'")
    return value


def management_bucket_name(prefix: str, account_id: str, region: str) -> str:
    return f"{prefix}-mgmt-{account_id}-{region}"


def training_bucket_name(prefix: str, account_id: str, region: str) -> str:
    return f"{prefix}-train-{account_id}-{region}"


def output_bucket_name(prefix: str, account_id: str, region: str) -> str:
    return f"{prefix}-output-{account_id}-{region}"


def topic_name(prefix: str) -> str:
    return f"{prefix}-notifications"


def topic_arn(prefix: str, account_id: str, region: str) -> str:
    return f"arn:aws:sns:{region}:{account_id}:{topic_name(prefix)}"


def regional_manifest_key(project: str, version: str) -> str:
    """Where a build writes the manifest whose source-refs point at the regional bucket."""
    return f"regional-manifests/{project}/{version}/output.manifest"


def output_prefix(project: str, version: str) -> str:
    return f"{project}/{version}/"
