"""Upload a local dataset to the management bucket: skip what is already there, point manifests at it.

Unchanged files (same size and ETag) are not uploaded again, so a re-sync writes nothing and triggers no
replication. Manifest `source-ref`s that name a file of the dataset (s3://any-bucket/.../images/x.png,
a relative or absolute path) are rewritten to that file's key in the management bucket.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from cli_commands.errors import UserError
from cli_commands.invocation import cli_command

MANIFEST_SUFFIX = ".manifest"
MULTIPART_CHUNK = 8 * 1024 * 1024  # boto3's default part size, for multipart ETags
REGIONAL_MANIFESTS = "regional-manifests/"


@dataclass
class LocalObject:
    key: str
    path: Path
    body: bytes | None = None  # rewritten manifest content; None = the file as is

    def data(self) -> bytes:
        return self.body if self.body is not None else self.path.read_bytes()


@dataclass
class SyncPlan:
    bucket: str
    prefix: str
    upload: list[LocalObject] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refs_rewritten: int = 0
    refs_unmapped: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)


def local_files(source: Path) -> dict[str, Path]:
    """Relative POSIX path -> file, hidden files and folders left out."""
    if not source.is_dir():
        raise UserError(f"{source} is not a folder")
    files = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files[relative.as_posix()] = path
    if not files:
        raise UserError(f"{source} holds no files to sync")
    return files


def _match(ref: str, relative_paths: set[str], source: Path) -> str | None:
    """The dataset file a source-ref names: longest key suffix that is a relative path of the dataset."""
    path = ref
    if ref.startswith("s3://"):
        path = ref[5:].partition("/")[2]
    elif ref.startswith("file://"):
        path = ref[7:]
    if path.startswith("/"):
        try:
            path = Path(path).resolve().relative_to(source.resolve()).as_posix()
        except ValueError:
            path = path.lstrip("/")
    parts = path.split("/")
    for start in range(len(parts)):
        candidate = "/".join(parts[start:])
        if candidate in relative_paths:
            return candidate
    return None


def rewrite_manifest(text: str, relative_paths: set[str], source: Path, bucket: str, prefix: str
                     ) -> tuple[str, int, list[str]]:
    """(new text, refs rewritten, refs naming no dataset file). Text is returned as is when nothing changes."""
    lines, rewritten, unmapped = [], 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            lines.append(line)
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise UserError(f"manifest line {number} is not JSON") from None
        ref = entry.get("source-ref") if isinstance(entry, dict) else None
        if not isinstance(ref, str):
            lines.append(line)
            continue
        relative = _match(ref, relative_paths, source)
        target = f"s3://{bucket}/{prefix}{relative}" if relative else None
        if target is None:
            unmapped.append(ref)
            lines.append(line)
        elif target == ref:
            lines.append(line)
        else:
            entry["source-ref"] = target
            lines.append(json.dumps(entry))
            rewritten += 1
    if not rewritten:
        return text, 0, unmapped
    return "\n".join(lines) + ("\n" if text.endswith("\n") else ""), rewritten, unmapped


def etag_of(data: bytes, remote_etag: str) -> str:
    """The ETag S3 would give `data`, multipart-style when the remote one is (`md5-of-md5s-N`)."""
    if "-" not in remote_etag:
        return hashlib.md5(data, usedforsecurity=False).hexdigest()
    parts = int(remote_etag.rsplit("-", 1)[1])
    size = max(MULTIPART_CHUNK, -(-len(data) // parts))
    digests = [hashlib.md5(data[i:i + size], usedforsecurity=False).digest() for i in range(0, len(data), size)]
    return f"{hashlib.md5(b''.join(digests), usedforsecurity=False).hexdigest()}-{len(digests)}"


def remote_objects(s3, bucket: str, prefix: str) -> dict[str, tuple[int, str]]:
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = (item["Size"], item["ETag"].strip('"'))
    return found


def plan_sync(s3, source: Path, bucket: str, prefix: str, rewrite_refs: bool = True) -> SyncPlan:
    files = local_files(source)
    plan = SyncPlan(bucket=bucket, prefix=prefix)
    remote = remote_objects(s3, bucket, prefix)
    for relative, path in files.items():
        item = LocalObject(key=prefix + relative, path=path)
        if relative.endswith(MANIFEST_SUFFIX):
            plan.manifests.append(item.key)
            if rewrite_refs:
                text, count, unmapped = rewrite_manifest(path.read_text(), set(files), source, bucket, prefix)
                if count:
                    item.body = text.encode()
                plan.refs_rewritten += count
                plan.refs_unmapped += unmapped
        data = item.data()
        existing = remote.get(item.key)
        if existing and existing[0] == len(data) and existing[1] == etag_of(data, existing[1]):
            plan.unchanged.append(item.key)
        else:
            plan.upload.append(item)
    return plan


def execute(s3, plan: SyncPlan, on_upload=lambda key: None) -> None:
    for item in plan.upload:
        content_type = "application/x-ndjson" if item.key.endswith(MANIFEST_SUFFIX) else None
        extra = {"ContentType": content_type} if content_type else {}
        s3.put_object(Bucket=plan.bucket, Key=item.key, Body=item.data(), **extra)
        on_upload(item.key)


def replication_pending(s3, bucket: str, keys: list[str]) -> tuple[list[str], list[str]]:
    """(keys still PENDING, keys FAILED) on a bucket with replication; objects without a status count as done."""
    pending, failed = [], []
    for key in keys:
        status = s3.head_object(Bucket=bucket, Key=key).get("ReplicationStatus")
        if status == "PENDING":
            pending.append(key)
        elif status == "FAILED":
            failed.append(key)
    return pending, failed


def has_replication(s3, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        return bool(s3.get_bucket_replication(Bucket=bucket).get("ReplicationConfiguration", {}).get("Rules"))
    except ClientError:
        return False


def default_manifest_key(bucket: str, region: str) -> str:
    """The only manifest in the management bucket (outside regional-manifests/), or one clear error."""
    import boto3

    s3 = boto3.client("s3", region_name=region)
    keys = [key for key in remote_objects(s3, bucket, "")
            if key.endswith(MANIFEST_SUFFIX) and not key.startswith(REGIONAL_MANIFESTS)]
    if len(keys) == 1:
        return keys[0]
    if not keys:
        raise UserError(f"no manifest in s3://{bucket}: upload a dataset first ({cli_command('sync DIR')}) or pass --manifest")
    raise UserError(f"{len(keys)} manifests in s3://{bucket} ({', '.join(keys[:4])}...): choose one with --manifest")
