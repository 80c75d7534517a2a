"""Dataset activities: has the dataset replicated into a region, and the region's own manifest.

Both read the manifest as a stream (configuration.jsonlines: lines end at "\n" only, linear time, memory
bounded whatever the line lengths, a BOM refused), heartbeat their position and resume from it when retried.
"""

from __future__ import annotations

import io

from temporalio import activity

from activities.clients import ClientFactory
from activities.errors import aws_call, permanent
from activities.manifest import ManifestLineError, rewrite_block, source_ref, split_s3_uri, whole_line_blocks
from configuration.jsonlines import ManifestHasBom, ManifestTooLongLine, iter_lines
from workflows import activity_api as api
from workflows.models import (
    ManifestRewriteInput,
    ManifestRewriteResult,
    ReplicationCheckInput,
    ReplicationCheckResult,
)

HEARTBEAT_EVERY = 200  # lines
BLOCK_SIZE = 1024 * 1024  # manifest bytes rewritten at a time
PART_SIZE = 8 * 1024 * 1024  # multipart part size
MIN_PART_SIZE = 5 * 1024 * 1024  # S3 refuses smaller parts (except the last)


def _not_found(exc: BaseException) -> bool:
    return getattr(exc, "type", None) in ("404", "NoSuchKey", "NotFound")


def _resume_point(default: int) -> int:
    details = activity.info().heartbeat_details
    return max(default, int(details[0])) if details else default


class MultipartWriter:
    """Writes an S3 object in parts so memory stays at one part; small objects go in one PutObject."""

    def __init__(self, s3, bucket: str, key: str, region: str, part_size: int = PART_SIZE):
        self.s3, self.bucket, self.key, self.region, self.part_size = s3, bucket, key, region, part_size
        self.buffer = io.BytesIO()
        self.upload_id: str | None = None
        self.parts: list[dict] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.buffer.write(data)
        self.size += len(data)
        if self.buffer.tell() >= self.part_size:
            self._flush_part()

    def _flush_part(self) -> None:
        if self.upload_id is None:
            with aws_call(self.region, "CreateMultipartUpload"):
                self.upload_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key=self.key)["UploadId"]
        number = len(self.parts) + 1
        with aws_call(self.region, "UploadPart"):
            etag = self.s3.upload_part(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=self.buffer.getvalue()
            )["ETag"]
        self.parts.append({"ETag": etag, "PartNumber": number})
        self.buffer = io.BytesIO()

    def close(self) -> None:
        if self.upload_id is None:
            with aws_call(self.region, "PutObject"):
                self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=self.buffer.getvalue())
            return
        if self.buffer.tell():
            self._flush_part()
        with aws_call(self.region, "CompleteMultipartUpload"):
            self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
            )

    def abort(self) -> None:
        if self.upload_id is not None:
            try:
                self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)
            except Exception:  # noqa: BLE001 - best effort; a lifecycle rule cleans up leftovers
                activity.logger.warning("could not abort multipart upload of s3://%s/%s", self.bucket, self.key)


def _lines_or_permanent(read, uri: str):
    """Manifest lines split on "\n" only, in linear time and bounded memory; a BOM or an overlong line is a
    permanent InvalidManifestException (Custom Labels would fail the training on it anyway)."""
    try:
        yield from iter_lines(read)
    except (ManifestHasBom, ManifestTooLongLine) as exc:
        raise permanent(f"manifest {uri} {exc}", "InvalidManifestException") from None


class DatasetActivities:
    def __init__(self, clients: ClientFactory, part_size: int = PART_SIZE):
        self.clients = clients
        self.part_size = max(part_size, MIN_PART_SIZE)

    def _head(self, region: str, bucket: str, key: str) -> dict | None:
        try:
            with aws_call(region, "HeadObject"):
                return self.clients("s3", region).head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            if _not_found(exc):
                return None
            raise

    @activity.defn(name=api.CHECK_REPLICATION)
    def check_replication(self, inp: ReplicationCheckInput) -> ReplicationCheckResult:
        """Is every object the manifest references (and the manifest itself) in the region's training bucket?

        Stops at the first missing object and returns how many lines were verified, so the next check
        (after a durable timer in the workflow) resumes there instead of starting over.
        """
        original = self._head(inp.management_region, inp.management_bucket, inp.manifest_key)
        if original is None:
            raise permanent(
                f"manifest s3://{inp.management_bucket}/{inp.manifest_key} not found: upload the dataset first",
                "ManifestNotFound",
            )
        replica = self._head(inp.region, inp.training_bucket, inp.manifest_key)
        if replica is None or replica.get("ETag") != original.get("ETag"):
            return ReplicationCheckResult(False, 0, 1, inp.manifest_key)
        start = _resume_point(inp.resume_from_line)
        with aws_call(inp.region, "GetObject"):
            body = self.clients("s3", inp.region).get_object(Bucket=inp.training_bucket, Key=inp.manifest_key)["Body"]
        number = 0
        labelled = start  # lines before the resume point were non-blank or the check would not have resumed
        uri = f"s3://{inp.training_bucket}/{inp.manifest_key}"
        try:
            for number, line in enumerate(_lines_or_permanent(body.read, uri), start=1):
                if number <= start or not line.strip():
                    continue
                labelled += 1
                try:
                    _, key = split_s3_uri(source_ref(line))
                except ManifestLineError as exc:
                    raise permanent(f"s3://{inp.training_bucket}/{inp.manifest_key} line {number}: {exc}",
                                    "InvalidManifestException") from None
                if self._head(inp.region, inp.training_bucket, key) is None:
                    self._require_in_management_bucket(inp, key, number)
                    return ReplicationCheckResult(False, number - 1, 1, key)
                if number % HEARTBEAT_EVERY == 0:
                    activity.heartbeat(number)
        finally:
            body.close()
        if labelled == 0:
            raise permanent(f"manifest s3://{inp.management_bucket}/{inp.manifest_key} is empty: no labelled images",
                            "InvalidManifestException")
        return ReplicationCheckResult(True, number, 0, None, number)

    def _require_in_management_bucket(self, inp: ReplicationCheckInput, key: str, line: int) -> None:
        """An image missing from the source too will never replicate: fail now instead of waiting for hours."""
        if self._head(inp.management_region, inp.management_bucket, key) is None:
            raise permanent(
                f"manifest s3://{inp.management_bucket}/{inp.manifest_key} line {line}: image {key} is not in the "
                "management bucket, so it can never replicate: upload it or fix the manifest",
                "InvalidManifestException",
            )

    @activity.defn(name=api.WRITE_REGIONAL_MANIFEST)
    def write_regional_manifest(self, inp: ManifestRewriteInput) -> ManifestRewriteResult:
        """Copy the manifest with every source-ref pointing at the regional bucket (only the bucket changes)."""
        s3 = self.clients("s3", inp.region)
        try:
            with aws_call(inp.region, "GetObject"):
                body = s3.get_object(Bucket=inp.source_bucket, Key=inp.manifest_key)["Body"]
        except Exception as exc:
            if getattr(exc, "type", None) in ("NoSuchKey", "404"):
                raise permanent(f"manifest s3://{inp.source_bucket}/{inp.manifest_key} not found", "ManifestNotFound") from None
            raise
        writer = MultipartWriter(s3, inp.target_bucket, inp.target_key, inp.region, self.part_size)
        lines = rewritten = 0
        uri = f"s3://{inp.source_bucket}/{inp.manifest_key}"
        blocks = whole_line_blocks(body.read, BLOCK_SIZE)
        try:
            while True:
                try:
                    block = next(blocks, None)
                except ManifestLineError as exc:  # a BOM, or an overlong line right after those rewritten
                    raise permanent(f"manifest {uri} {str(exc).replace('a line', f'line {lines + 1}', 1)}",
                                    "InvalidManifestException") from None
                if block is None:
                    break
                try:
                    done = rewrite_block(block, inp.target_bucket)
                except ManifestLineError as exc:
                    raise permanent(f"s3://{inp.source_bucket}/{inp.manifest_key} line {lines + exc.line}: {exc}",
                                    "InvalidManifestException") from None
                lines += done.lines
                rewritten += done.rewritten
                writer.write(done.data)
                activity.heartbeat(lines)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        finally:
            body.close()
        return ManifestRewriteResult(lines, rewritten, writer.size)
