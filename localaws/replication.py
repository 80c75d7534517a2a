"""S3 Cross-Region Replication for moto, which stores replication configurations but never copies.

Every object write (put, copy, multipart completion) and delete marker in a versioned bucket with a
replication configuration is queued; after `replication_delay_seconds` it is copied to each destination
whose rule matches (Status Enabled, Filter prefix/tag/And; for one destination the highest Priority wins).
The source shows ReplicationStatus PENDING, then COMPLETED (or FAILED when the destination is missing or
not versioned); the replica shows REPLICA. Like S3: not retroactive, replicas are not replicated again,
delete markers only with DeleteMarkerReplication Enabled and never for tag-filtered rules, and deleting a
specific version is never replicated.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from .config import EmulatorConfig
from .replication_rules import as_list, destination_bucket, rule_filter, rule_for_api, rules_by_destination

LOG = logging.getLogger("localaws.replication")
_local = threading.local()
# moto's backends are process-wide, so several LocalAws servers in one process (tests, benches) share one
# account state; the most recently started replicator that is still running does the copying for all of them.
_running: list[Replicator] = []


def _active() -> Replicator | None:
    return _running[-1] if _running else None
_installed = False
REPLICATION_HEADER = "x-amz-replication-status"


@dataclass
class Write:
    account: str
    bucket: str
    key: str
    version_id: str
    delete_marker: bool


# --- hooks into moto -----------------------------------------------------------------------------------
def _install_patches() -> None:
    """Patch moto's S3 backend once per process: record writes, show x-amz-replication-status."""
    global _installed
    if _installed:
        return
    from moto.s3.models import FakeKey, S3Backend

    original_put = S3Backend.put_object
    original_marker = S3Backend._set_delete_marker
    original_response_dict = FakeKey.response_dict

    def put_object(self, bucket_name, key_name, value, *args, **kwargs):
        key = original_put(self, bucket_name, key_name, value, *args, **kwargs)
        _record(Write(self.account_id, bucket_name, key_name, str(key.version_id), False))
        return key

    def set_delete_marker(self, bucket_name, key_name):
        marker = original_marker(self, bucket_name, key_name)
        _record(Write(self.account_id, bucket_name, key_name, str(marker.version_id), True))
        return marker

    def response_dict(self):
        headers = original_response_dict.fget(self)
        status = getattr(self, "_replication_status", None)
        if status:
            headers[REPLICATION_HEADER] = status
        return headers

    S3Backend.put_object = put_object
    S3Backend._set_delete_marker = set_delete_marker
    FakeKey.response_dict = property(response_dict)
    _patch_replication_configuration()
    _installed = True


def _patch_replication_configuration() -> None:
    """Validate PutBucketReplication like S3 and make GetBucketReplication return what was stored.

    moto accepts a configuration on an unversioned bucket and answers GetBucketReplication with every
    rule's Filter and DeleteMarkerReplication replaced by defaults.
    """
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    original_put = S3Backend.put_bucket_replication
    original_get = S3Response.get_bucket_replication

    def put_bucket_replication(self, bucket_name, replication):
        if not self.get_bucket(bucket_name).is_versioned:
            raise S3ClientError(
                "InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration"
            )
        for rule in as_list(replication.get("Rule")):
            destination = self.buckets.get(destination_bucket(rule))
            if destination is None:
                raise S3ClientError("InvalidRequest", "Destination bucket must exist.")
            if not destination.is_versioned:
                raise S3ClientError("InvalidRequest", "Destination bucket must have versioning enabled.")
        return original_put(self, bucket_name, replication)

    def get_bucket_replication(self):
        from moto.core.responses import ActionResult

        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            return original_get(self)  # raises ReplicationConfigurationNotFoundError
        rules = [rule_for_api(rule) for rule in as_list(replication["Rule"])]
        return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))

    S3Backend.put_bucket_replication = put_bucket_replication
    S3Response.get_bucket_replication = get_bucket_replication


def _record(write: Write) -> None:
    active = _active()
    if getattr(_local, "replicating", False) or active is None:
        return
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.append(write)  # decided when the request ends, once tags and metadata are set
    else:
        active.submit([write])


def begin_request() -> None:
    _local.pending = []


def end_request() -> None:
    pending, _local.pending = getattr(_local, "pending", None), None
    active = _active()
    if pending and active is not None:
        active.submit(pending)


# --- the copier ------------------------------------------------------------------------------------
class Replicator:
    """Delays and performs replication jobs on one background thread."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._queue: list[tuple[float, int, Write, dict[str, dict[str, Any]]]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.completed = 0

    def start(self) -> None:
        _install_patches()
        _running.append(self)
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="localaws-replication", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if self._thread:
            self._thread.join(timeout=5)
        if self in _running:
            _running.remove(self)

    def clear(self) -> None:
        with self._wake:
            self._queue.clear()

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._queue)

    def submit(self, writes: list[Write]) -> None:
        from moto.s3.models import FakeKey, s3_backends

        due = time.monotonic() + self.config.replication_delay()
        for write in writes:
            backend = s3_backends[write.account]["aws"]
            bucket = backend.buckets.get(write.bucket)
            config = getattr(bucket, "replication", None) if bucket else None
            if not config or not bucket.is_versioned:
                continue
            source = self._version(bucket, write)
            if source is None or getattr(source, "_replication_status", None) == "REPLICA":
                continue
            tags = backend.tagger.get_tag_dict_for_resource(source.arn) if isinstance(source, FakeKey) else {}
            rules = rules_by_destination(config, write.key, tags)
            if write.delete_marker:
                rules = {
                    dest: rule
                    for dest, rule in rules.items()
                    if (rule.get("DeleteMarkerReplication") or {}).get("Status") == "Enabled" and not rule_filter(rule)[1]
                }
            if not rules:
                continue
            if isinstance(source, FakeKey):
                source._replication_status = "PENDING"
            with self._wake:
                heapq.heappush(self._queue, (due, next(self._counter), write, rules))
                self._wake.notify_all()

    @staticmethod
    def _version(bucket: Any, write: Write) -> Any:
        for candidate in bucket.keys.getlist(write.key, []):
            if str(candidate.version_id) == write.version_id:
                return candidate
        return None

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._wake.wait(timeout)
                if self._stopped:
                    return
                _, _, write, rules = heapq.heappop(self._queue)
            try:
                self._replicate(write, rules)
            except Exception:  # one bad object must not stop replication of the others
                LOG.exception("replication of s3://%s/%s failed", write.bucket, write.key)
            with self._wake:
                self.completed += 1
                self._wake.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is queued (for the control API's flush)."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wake.wait(min(remaining, 0.05))
        return True

    def _replicate(self, write: Write, rules: dict[str, dict[str, Any]]) -> None:
        from moto.s3.models import FakeKey, s3_backends

        backend = s3_backends[write.account]["aws"]
        bucket = backend.buckets.get(write.bucket)
        source = self._version(bucket, write) if bucket else None
        if source is None:
            return
        failed = False
        _local.replicating = True
        try:
            for destination, rule in rules.items():
                target = backend.buckets.get(destination)
                if target is None or not target.is_versioned:
                    failed = True
                    continue
                if write.delete_marker:
                    backend.delete_object(destination, write.key)
                    markers = target.keys.getlist(write.key, [])
                    if markers:
                        markers[-1]._version_id = write.version_id  # S3 keeps the marker's version id
                    continue
                storage = (rule.get("Destination") or {}).get("StorageClass") or source.storage_class
                replica = backend.put_object(destination, write.key, source.value, storage=storage, disable_notification=True)
                replica._version_id = source.version_id
                # S3 replicates the object as stored: a multipart upload's replica keeps its "<md5>-<parts>" ETag
                # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html)
                replica._etag = source.etag.strip('"')
                replica.set_metadata(source.metadata)
                replica._replication_status = "REPLICA"
                tags = backend.tagger.get_tag_dict_for_resource(source.arn)
                if tags:
                    backend.put_object_tagging(replica, tags)
        finally:
            _local.replicating = False
        if isinstance(source, FakeKey):
            source._replication_status = "FAILED" if failed else "COMPLETED"
