"""Ground Truth manifest lines: point `source-ref` at another bucket, touching nothing else. Pure functions."""

import json

SOURCE_REF = "source-ref"


class ManifestLineError(ValueError):
    """A manifest line that is not a JSON object with an s3:// source-ref."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ManifestLineError(f"source-ref {uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[5:].split("/", 1)
    if not bucket or not key:
        raise ManifestLineError(f"source-ref {uri!r} is not an s3://bucket/key URI")
    return bucket, key


def source_ref(line: bytes | str) -> str:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise ManifestLineError(f"not JSON: {exc}") from None
    if not isinstance(record, dict) or SOURCE_REF not in record:
        raise ManifestLineError("no source-ref field")
    return record[SOURCE_REF]


def rewrite_line(line: bytes, bucket: str) -> tuple[bytes, bool]:
    """The line with its source-ref's bucket replaced; returns (line, changed).

    The original bytes are kept except for the bucket (labels, metadata, key order, spacing); only when the
    URI cannot be found verbatim (unusual escaping) is the record re-serialized.
    """
    old = source_ref(line)
    old_bucket, key = split_s3_uri(old)
    if old_bucket == bucket:
        return line, False
    new = f"s3://{bucket}/{key}"
    for ascii_only in (True, False):
        needle = json.dumps(old, ensure_ascii=ascii_only).encode()
        if line.count(needle) == 1:
            return line.replace(needle, json.dumps(new, ensure_ascii=ascii_only).encode()), True
    record = json.loads(line)
    record[SOURCE_REF] = new
    return json.dumps(record, ensure_ascii=False).encode(), True
