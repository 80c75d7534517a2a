"""Adopt, copying side: one batch of the source's images into the management bucket, with S3 server-side copies.

Resumable without copying twice. The activity heartbeats its position (the images before it are settled, with
their counts), so a retry starts there; an image after it may have been copied by the attempt that died, so every
image is first looked up in the management bucket and skipped when its copy is there: same size, and the source's
ETag (kept in the copy's metadata, since a copy of a multipart upload gets another ETag) or the same ETag. When an
attempt fails, the copies in flight are awaited before it ends, so a retry never races a copy of its own.

An image that cannot be read (access denied, missing, archived, over CopyObject's 5 GB) is reported by key in the
result, never skipped silently; throttling and 5xx are retried per image a few times, then fail the attempt (the
next attempt resumes). CopyObject is used rather than boto3's managed copy: Custom Labels images are at most
15 MB, so one request per image is all it takes, and the 5 GB case is refused with a clear line instead.
"""

from __future__ import annotations

import json
import random
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import asdict, dataclass

from botocore.exceptions import BotoCoreError, ClientError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import adopt_layout as layout
from activities.clients import ClientFactory
from activities.errors import aws_call, error_code, is_transient, permanent, to_application_error
from activities.manifest import split_s3_uri
from workflows import activity_api as api
from workflows.models import CopyImagesInput, CopyImagesResult, UnreadableImage

COPY_THREADS = 16
TRIES_PER_IMAGE = 4
BACKOFF_SECONDS = 0.25
HEARTBEAT_SECONDS = 2.0
MAX_COPY_BYTES = 5 * 1024**3  # CopyObject copies at most 5 GB in one request (S3 API Reference, CopyObject)
SOURCE_ETAG = "adopted-from-etag"  # user metadata on every copy: the ETag of the object it was copied from
REASONS = {"403": "access denied", "AccessDenied": "access denied", "404": "not found", "NoSuchKey": "not found",
           "NoSuchBucket": "bucket not found", "InvalidObjectState": "archived: restore it first"}


def _worth_retrying(err: Exception) -> bool:
    return is_transient(err) or (isinstance(err, ClientError) and error_code(err) == "PreconditionFailed")


@dataclass
class Outcome:
    kind: str  # "copied" | "skipped" | "unreadable"
    size: int = 0
    reason: str = ""


@dataclass
class BatchProgress:
    """What the heartbeat carries: the images before `position` are settled and counted."""

    position: int = 0
    copied: int = 0
    skipped: int = 0
    bytes_copied: int = 0
    unreadable: list[list[str]] | None = None  # [source, reason]

    @classmethod
    def resumed(cls, details) -> BatchProgress:
        if details and isinstance(details[0], dict):
            return cls(**{k: v for k, v in details[0].items() if k in cls.__dataclass_fields__})
        return cls()

    def settle(self, uri: str, outcome: Outcome) -> None:
        self.position += 1
        if outcome.kind == "copied":
            self.copied += 1
            self.bytes_copied += outcome.size
        elif outcome.kind == "skipped":
            self.skipped += 1
        else:
            self.unreadable = [*(self.unreadable or []), [uri, outcome.reason]]

    def result(self) -> CopyImagesResult:
        return CopyImagesResult(self.copied, self.skipped, self.bytes_copied,
                                [UnreadableImage(uri, reason) for uri, reason in self.unreadable or []])


class ImageCopyActivities:
    def __init__(self, clients: ClientFactory, threads: int = COPY_THREADS, tries: int = TRIES_PER_IMAGE,
                 backoff_seconds: float = BACKOFF_SECONDS):
        self.clients = clients
        self.threads = threads
        self.tries = tries
        self.backoff_seconds = backoff_seconds

    @activity.defn(name=api.COPY_ADOPTED_IMAGES)
    def copy_images(self, inp: CopyImagesInput) -> CopyImagesResult:
        uris = self._batch(inp)
        progress = BatchProgress.resumed(activity.info().heartbeat_details)
        finished: dict[int, Outcome] = {}  # beyond the position, in any order (only this thread touches it)

        def settle_finished() -> None:
            while progress.position in finished:
                progress.settle(uris[progress.position], finished.pop(progress.position))

        pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="adopt-copy")
        futures = {pool.submit(self._copy_one, inp, uri): index
                   for index, uri in enumerate(uris) if index >= progress.position}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    finished[futures[future]] = future.result()  # a failure ends the attempt (finally below)
                settle_finished()
                activity.heartbeat(asdict(progress))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # no copy of this attempt outlives it
            for future, index in futures.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    finished.setdefault(index, future.result())
            settle_finished()
            if progress.position < len(uris):
                with suppress(Exception):  # best effort: never hide why the attempt ends
                    activity.heartbeat(asdict(progress))
        return progress.result()

    def _batch(self, inp: CopyImagesInput) -> list[str]:
        """The batch's image URIs: its byte range of the image list (one JSON string per line)."""
        batch = inp.batch
        if batch.count == 0:
            return []
        with aws_call(inp.management_region, "GetObject"):
            body = self.clients("s3", inp.management_region).get_object(
                Bucket=inp.management_bucket, Key=inp.images_key, Range=f"bytes={batch.start_byte}-{batch.end_byte - 1}",
            )["Body"].read()
        uris = [json.loads(line) for line in body.split(b"\n") if line]
        if len(uris) != batch.count:
            raise permanent(f"image list s3://{inp.management_bucket}/{inp.images_key} changed: expected "
                            f"{batch.count} images at bytes {batch.start_byte}-{batch.end_byte}, found {len(uris)}",
                            "InvalidManifestException")
        return uris

    def _copy_one(self, inp: CopyImagesInput, uri: str) -> Outcome:
        """Copy one image, retrying throttling and 5xx a few times with jittered backoff."""
        for attempt in range(self.tries):
            try:
                return self._copy_once(inp, uri)
            except (ClientError, BotoCoreError) as err:
                if not _worth_retrying(err):  # the management bucket refused: the whole batch would fail the same way
                    raise to_application_error(err, inp.management_region, f"copy of {uri}") from err
                if attempt == self.tries - 1:
                    failure = to_application_error(err, inp.management_region, f"copy of {uri}")
                    raise ApplicationError(failure.message, type=failure.type) from err  # the next attempt resumes
                time.sleep(self.backoff_seconds * 2**attempt * (0.5 + random.random()))  # nosec B311 - jitter
        raise AssertionError("unreachable")

    def _copy_once(self, inp: CopyImagesInput, uri: str) -> Outcome:
        bucket, key = split_s3_uri(uri)
        target = layout.copied_image_key(inp.project, bucket, key)
        try:
            source = self.clients("s3", inp.source_region).head_object(Bucket=bucket, Key=key)
        except ClientError as err:
            if is_transient(err):
                raise
            return Outcome("unreadable", reason=self._reason(err))
        size, etag = source.get("ContentLength", 0), source.get("ETag", "")
        if size > MAX_COPY_BYTES:
            return Outcome("unreadable", reason=f"{size} bytes: over CopyObject's 5 GB (Custom Labels images are "
                                                "at most 15 MB)")
        management = self.clients("s3", inp.management_region)
        copy = self._head_copy(management, inp.management_bucket, target)
        if copy is not None and copy.get("ContentLength") == size and etag in (
                copy.get("ETag"), (copy.get("Metadata") or {}).get(SOURCE_ETAG)):
            return Outcome("skipped")
        try:
            management.copy_object(
                Bucket=inp.management_bucket, Key=target, CopySource={"Bucket": bucket, "Key": key},
                CopySourceIfMatch=etag,  # exactly the object looked at, or PreconditionFailed (retried)
                MetadataDirective="REPLACE", Metadata={**(source.get("Metadata") or {}), SOURCE_ETAG: etag},
                ContentType=source.get("ContentType") or "binary/octet-stream",
            )
        except ClientError as err:
            if _worth_retrying(err):  # throttled, or the source changed since the HEAD (PreconditionFailed)
                raise
            return Outcome("unreadable", reason=f"CopyObject: {self._reason(err)}")
        return Outcome("copied", size)

    @staticmethod
    def _head_copy(management, bucket: str, key: str) -> dict | None:
        try:
            return management.head_object(Bucket=bucket, Key=key)
        except ClientError as err:
            if error_code(err) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    @staticmethod
    def _reason(err: ClientError) -> str:
        code = error_code(err)
        message = err.response.get("Error", {}).get("Message") or ""
        readable = REASONS.get(code)
        return f"{readable} ({code})" if readable else f"{code}: {message}".rstrip(": ")
