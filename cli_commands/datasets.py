"""Upload a local dataset to the management bucket: skip what is already there, point manifests at it.

Unchanged files (same size and ETag) are not uploaded again, so a re-sync writes nothing and triggers no
replication. Everything is checked before the first upload (links out of the folder, files that cannot be
uploaded, manifests with a BOM or overlong lines), and manifests are streamed: memory stays bounded whatever
their size or line lengths. Manifest `source-ref`s that name a file of the dataset (s3://any-bucket/.../images/x.png,
a relative or absolute path) are rewritten to that file's key in the management bucket.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cli_commands.errors import UserError
from cli_commands.invocation import cli_command

MANIFEST_SUFFIX = ".manifest"
MULTIPART_CHUNK = 8 * 1024 * 1024  # boto3's default part size, for multipart ETags
READ_CHUNK = 1024 * 1024
REGIONAL_MANIFESTS = "regional-manifests/"
MAX_KEY_BYTES = 1024  # S3 object keys are at most 1,024 bytes of UTF-8


@dataclass
class LocalObject:
    key: str
    path: Path  # what is uploaded: the dataset's file, or a rewritten copy of a manifest in the plan's work folder
    size: int = 0


@dataclass
class SyncPlan:
    bucket: str
    prefix: str
    upload: list[LocalObject] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refs_rewritten: int = 0
    refs_unmapped: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    manifest_files: dict[str, Path] = field(default_factory=dict)  # key -> what is uploaded (or already is)
    relative_paths: set[str] = field(default_factory=set)  # the dataset's files
    workdir: tempfile.TemporaryDirectory | None = None  # rewritten manifests, removed by close()

    def close(self) -> None:
        if self.workdir is not None:
            self.workdir.cleanup()
            self.workdir = None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _problems_listed(problems: list[str]) -> str:
    return ", ".join(problems[:3]) + (f" and {len(problems) - 3} more" if len(problems) > 3 else "")


def local_files(source: Path, prefix: str = "") -> dict[str, Path]:
    """Relative POSIX path -> file, hidden files and folders left out.

    Everything is checked before anything is uploaded: a symbolic link whose target is outside the folder is
    refused (sync must never upload what lies elsewhere to every region), and every file that cannot be
    uploaded (unreadable, not a regular file, a name that is no S3 key) is named.
    """
    if not source.is_dir():
        raise UserError(f"{source} is not a folder")
    root = source.resolve()
    files: dict[str, Path] = {}
    outside: list[str] = []
    cannot: list[str] = []
    seen: set[Path] = set()
    for directory, folders, names in os.walk(source, followlinks=True):
        here = Path(directory)
        real = here.resolve()
        if real in seen:  # a link back to a folder already walked: no loops, no duplicates
            folders[:] = []
            continue
        seen.add(real)
        relative_dir = here.relative_to(source)
        kept = []
        for name in sorted(folders):
            if name.startswith("."):
                continue
            if not _inside((here / name).resolve(), root):
                outside.append(f"{(relative_dir / name).as_posix()} -> {os.readlink(here / name)}")
                continue
            kept.append(name)
        folders[:] = kept
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = here / name
            relative = (relative_dir / name).as_posix()
            if path.is_symlink() and not _inside(path.resolve(), root):
                outside.append(f"{relative} -> {os.readlink(path)}")
                continue
            problem = _cannot_upload(path, prefix + relative)
            if problem:
                cannot.append(f"{relative} ({problem})")
                continue
            files[relative] = path
    if outside:
        raise UserError(f"{len(outside)} link(s) lead out of {source}: {_problems_listed(outside)}; sync uploads only "
                        "what is inside the dataset folder: copy the files in instead. Nothing was uploaded")
    if cannot:
        raise UserError(f"cannot upload {len(cannot)} file(s) of {source}: {_problems_listed(cannot)}. "
                        "Nothing was uploaded")
    if not files:
        raise UserError(f"{source} holds no files to sync")
    return dict(sorted(files.items()))


def _cannot_upload(path: Path, key: str) -> str | None:
    """Why this file cannot become the object `key` (None when it can)."""
    try:
        encoded = key.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not UTF-8"
    if len(encoded) > MAX_KEY_BYTES:
        return f"its key would be {len(encoded)} bytes, S3 allows {MAX_KEY_BYTES}"
    if not path.exists():
        return "a broken link"
    if not path.is_file():
        return "not a regular file"
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def match_ref(ref: str, relative_paths: set[str], source: Path) -> str | None:
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


def rewrite_manifest_stream(read, write, relative_paths: set[str], source: Path, bucket: str, prefix: str,
                            unmapped_kept: int = 20) -> tuple[int, list[str], int]:
    """Stream a manifest from `read(n)` to `write(bytes)` with source-refs pointed at the upload.

    Returns (refs rewritten, the first `unmapped_kept` refs naming no dataset file, how many such refs). Lines
    end at "\n" only; a BOM or an overlong line is refused (configuration.jsonlines); memory stays bounded.
    """
    from configuration.jsonlines import ManifestHasBom, ManifestTooLongLine, iter_lines

    rewritten, unmapped, unmapped_count = 0, [], 0
    try:
        for number, line in enumerate(iter_lines(read), start=1):
            if not line.strip():
                write(line + b"\n")
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                raise UserError(f"manifest line {number} is not JSON (UTF-8 JSON lines)") from None
            ref = entry.get("source-ref") if isinstance(entry, dict) else None
            relative = match_ref(ref, relative_paths, source) if isinstance(ref, str) else None
            target = f"s3://{bucket}/{prefix}{relative}" if relative else None
            if isinstance(ref, str) and target is None:
                unmapped_count += 1
                if len(unmapped) < unmapped_kept:
                    unmapped.append(ref)
            if target is None or target == ref:
                write(line + b"\n")
            else:
                entry["source-ref"] = target
                write(json.dumps(entry).encode() + b"\n")
                rewritten += 1
    except (ManifestHasBom, ManifestTooLongLine) as exc:
        raise UserError(f"manifest {exc}") from None
    return rewritten, unmapped, unmapped_count


def rewrite_manifest(text: str, relative_paths: set[str], source: Path, bucket: str, prefix: str
                     ) -> tuple[str, int, list[str]]:
    """(new text, refs rewritten, refs naming no dataset file). Text is returned as is when nothing changes."""
    import io

    out = io.BytesIO()
    rewritten, unmapped, _ = rewrite_manifest_stream(io.BytesIO(text.encode()).read, out.write, relative_paths,
                                                     source, bucket, prefix, unmapped_kept=1 << 30)
    if not rewritten:
        return text, 0, unmapped
    new = out.getvalue().decode()
    return (new if text.endswith("\n") else new.removesuffix("\n")), rewritten, unmapped


def etag_of(data: bytes, remote_etag: str) -> str:
    """The ETag S3 would give `data`, multipart-style when the remote one is (`md5-of-md5s-N`)."""
    import io

    return file_etag(io.BytesIO(data), len(data), remote_etag)


def file_etag(stream, size: int, remote_etag: str) -> str:
    """etag_of for a stream of `size` bytes, read in pieces (bounded memory)."""
    if "-" not in remote_etag:
        digest = hashlib.md5(usedforsecurity=False)
        while piece := stream.read(READ_CHUNK):
            digest.update(piece)
        return digest.hexdigest()
    parts = int(remote_etag.rsplit("-", 1)[1])
    part_size = max(MULTIPART_CHUNK, -(-size // parts))
    digests = []
    while True:
        part = hashlib.md5(usedforsecurity=False)
        left = part_size
        while left and (piece := stream.read(min(READ_CHUNK, left))):
            part.update(piece)
            left -= len(piece)
        if left == part_size:
            break
        digests.append(part.digest())
    return f"{hashlib.md5(b''.join(digests), usedforsecurity=False).hexdigest()}-{len(digests)}"


def remote_objects(s3, bucket: str, prefix: str) -> dict[str, tuple[int, str]]:
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = (item["Size"], item["ETag"].strip('"'))
    return found


def plan_sync(s3, source: Path, bucket: str, prefix: str, rewrite_refs: bool = True) -> SyncPlan:
    """What to upload; every file checked and every manifest rewritten (to a temporary copy) before any upload."""
    files = local_files(source, prefix)
    plan = SyncPlan(bucket=bucket, prefix=prefix, relative_paths=set(files))
    remote = remote_objects(s3, bucket, prefix)
    try:
        for relative, path in files.items():
            item = LocalObject(key=prefix + relative, path=path, size=path.stat().st_size)
            if relative.endswith(MANIFEST_SUFFIX):
                plan.manifests.append(item.key)
                _check_or_rewrite(plan, item, set(files), source, rewrite_refs)
                plan.manifest_files[item.key] = item.path
            existing = remote.get(item.key)
            if existing and existing[0] == item.size:
                with item.path.open("rb") as stream:
                    if existing[1] == file_etag(stream, item.size, existing[1]):
                        plan.unchanged.append(item.key)
                        continue
            plan.upload.append(item)
    except BaseException:
        plan.close()
        raise
    return plan


def _check_or_rewrite(plan: SyncPlan, item: LocalObject, relative_paths: set[str], source: Path,
                      rewrite_refs: bool) -> None:
    """Stream the manifest once: refused if it has a BOM or an overlong line; rewritten copy when refs change."""
    if plan.workdir is None:
        plan.workdir = tempfile.TemporaryDirectory(prefix="gcl-sync-")
    copy = Path(plan.workdir.name) / f"{len(plan.manifests)}{MANIFEST_SUFFIX}"
    with item.path.open("rb") as original, copy.open("wb") as out:
        write = out.write if rewrite_refs else (lambda _data: None)
        count, unmapped, _ = rewrite_manifest_stream(original.read, write, relative_paths, source, plan.bucket,
                                                     plan.prefix, unmapped_kept=20 - len(plan.refs_unmapped))
    if rewrite_refs and count:
        item.path, item.size = copy, copy.stat().st_size
        plan.refs_rewritten += count
    else:
        copy.unlink()
    if rewrite_refs:
        plan.refs_unmapped += unmapped


def execute(s3, plan: SyncPlan, on_upload=lambda key: None) -> None:
    """Upload from files (multipart above 8 MB, a few parts in memory at a time), then drop the rewritten copies."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=MULTIPART_CHUNK, multipart_chunksize=MULTIPART_CHUNK,
                            max_concurrency=4)
    try:
        for item in plan.upload:
            extra = {"ContentType": "application/x-ndjson"} if item.key.endswith(MANIFEST_SUFFIX) else {}
            s3.upload_file(str(item.path), plan.bucket, item.key, ExtraArgs=extra or None, Config=config)
            on_upload(item.key)
    finally:
        plan.close()


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
