"""The dataset preflight as an activity: the build's manifest in the management bucket checked before any region
creates anything (configuration.dataset_preflight holds the rules; this module only does the S3 calls).

Images are never downloaded: an S3 HEAD says whether one exists and how big it is, a ranged GET of its first
64 KiB (rarely a few more ranges for a JPEG with large metadata) gives format and pixel size. They are looked at
in parallel on a bounded pool; the activity heartbeats the line it has reached.
"""

from __future__ import annotations

from temporalio import activity

from activities.clients import ClientFactory
from activities.errors import aws_call
from configuration.dataset_preflight import WORKERS, check_manifest, image_facts
from configuration.dataset_rules import DatasetTally, ImageFacts
from workflows import activity_api as api
from workflows.models import DatasetReport, PreflightInput

NOT_FOUND = ("404", "NoSuchKey", "NotFound")
DENIED = ("403", "AccessDenied")


def _code(exc: BaseException) -> str | None:
    return getattr(exc, "type", None)  # aws_call's ApplicationError carries the S3 error code


def _report(report) -> DatasetReport:
    return DatasetReport(report.rejected, report.findings, report.warnings, report.findings_total,
                         report.warnings_total, report.lines, report.valid_lines, report.labels, report.use_case)


class PreflightActivities:
    def __init__(self, clients: ClientFactory, workers: int = WORKERS):
        self.clients = clients
        self.workers = workers

    def _look_at(self, region: str, bucket: str, key: str) -> ImageFacts:
        """HEAD, then the first bytes by range: never the whole image."""
        s3 = self.clients("s3", region)
        try:
            with aws_call(region, "HeadObject"):
                size = int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
        except Exception as exc:
            if _code(exc) in NOT_FOUND:
                return ImageFacts(exists=False)
            if _code(exc) in DENIED:
                return ImageFacts(exists=True, denied=True)
            raise

        def read_at(offset: int, length: int) -> bytes:
            if offset >= size:
                return b""
            with aws_call(region, "GetObject"):
                body = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}")["Body"]
            try:
                return body.read()
            finally:
                body.close()

        return image_facts(size, read_at)

    @activity.defn(name=api.PREFLIGHT_DATASET)
    def preflight_dataset(self, inp: PreflightInput) -> DatasetReport:
        """Check the manifest and every image it names against the Custom Labels rules; the verdict is returned
        (the workflow decides), transient S3 errors are raised (and retried)."""
        s3 = self.clients("s3", inp.region)
        uri = f"s3://{inp.bucket}/{inp.manifest_key}"
        try:
            with aws_call(inp.region, "HeadObject"):
                size = int(s3.head_object(Bucket=inp.bucket, Key=inp.manifest_key)["ContentLength"])
        except Exception as exc:
            if _code(exc) not in NOT_FOUND + DENIED:
                raise
            tally = DatasetTally(inp.regions, inp.rewrites_buckets)
            problem = "not found" if _code(exc) in NOT_FOUND else "cannot be read (access denied)"
            tally.fail("MANIFEST_FILE", f"{uri} {problem}", "upload the dataset first (sync DIR) or pass --manifest")
            return _report(tally.report())
        with aws_call(inp.region, "GetObject"):
            body = s3.get_object(Bucket=inp.bucket, Key=inp.manifest_key)["Body"]

        def probe(bucket: str, key: str) -> ImageFacts:
            return self._look_at(inp.region, inp.bucket if inp.rewrites_buckets else bucket, key)

        try:
            report = check_manifest(body.read, size, probe, regions=inp.regions, rewrites_buckets=inp.rewrites_buckets,
                                    progress=activity.heartbeat, workers=self.workers)
        finally:
            body.close()
        activity.logger.info("preflight of %s: %d line(s), %d finding(s), %d warning(s)", uri, report.lines,
                             report.findings_total, report.warnings_total)
        return _report(report)
