"""What the CLI can check before it starts a workflow, each in one line (issue 16.4: no eleven regions started
for a manifest that is not there)."""

from cli_commands.errors import UserError
from cli_commands.invocation import cli_command

UTF8_BOM = b"\xef\xbb\xbf"


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return str(count)


def manifest_exists(bucket: str, key: str, region: str) -> str:
    """One line saying the build's manifest is there and readable; UserError when it is missing or has a BOM.

    A BOM is refused here as Custom Labels refuses it in training (the manifest must be UTF-8 JSON lines,
    https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/md-create-manifest-file.html).
    """
    import boto3
    from botocore.exceptions import ClientError

    s3 = boto3.client("s3", region_name=region)
    uri = f"s3://{bucket}/{key}"
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchKey", "NotFound"):
            raise UserError(f"manifest {uri} not found: upload the dataset first ({cli_command('sync DIR')}) "
                            "or pass --manifest") from None
        if code in ("403", "AccessDenied"):
            raise UserError(f"manifest {uri} cannot be read (access denied): check the credentials' S3 rights") from None
        raise
    if head.get("ContentLength", 0) == 0:
        raise UserError(f"manifest {uri} is empty: no labelled images")
    first = s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-2")["Body"].read()
    if first.startswith(UTF8_BOM):
        raise UserError(f"manifest {uri} starts with a UTF-8 byte order mark, which Custom Labels refuses: "
                        "save it as UTF-8 without BOM and sync again")
    return f"checked: manifest {uri} exists ({_size(head['ContentLength'])})"
