"""Child process of the manifest section: the real write_regional_manifest activity, file in, file out.

`python -m bench.manifest_child SOURCE TARGET BUCKET` prints the seconds spent in the activity. S3 is a local
file on both ends (a stand-in with botocore's own StreamingBody), so the measure is our streaming rewrite and
multipart buffering, not the emulator's storage; it prints its own peak RSS (VmHWM).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


class FileS3:
    """The five S3 calls the activity makes, served from / written to local files."""

    def __init__(self, source: Path, target: Path):
        self.source, self.target = source, target
        self._out = None

    def get_object(self, Bucket, Key):
        from botocore.response import StreamingBody

        handle = open(self.source, "rb")  # noqa: SIM115 - closed by the activity's body.close()
        return {"Body": StreamingBody(handle, self.source.stat().st_size)}

    def _write(self, data: bytes) -> None:
        if self._out is None:
            self._out = open(self.target, "wb")  # noqa: SIM115
        self._out.write(data)

    def put_object(self, Bucket, Key, Body):
        self._write(Body)
        self._out.close()

    def create_multipart_upload(self, Bucket, Key):
        return {"UploadId": "bench"}

    def upload_part(self, Bucket, Key, UploadId, PartNumber, Body):
        self._write(Body)
        return {"ETag": f'"{PartNumber}"'}

    def complete_multipart_upload(self, Bucket, Key, UploadId, MultipartUpload):
        self._out.close()

    def abort_multipart_upload(self, Bucket, Key, UploadId):
        if self._out is not None:
            self._out.close()


def main(source: str, target: str, bucket: str) -> None:
    from temporalio.testing import ActivityEnvironment

    from activities.dataset import DatasetActivities
    from workflows.models import ManifestRewriteInput

    inp = ManifestRewriteInput("eu-west-1", "source-bucket", "output.manifest", bucket, "regional/output.manifest")
    # warm-up on a one-line manifest: the worker is long-lived, so first-call imports are not the rewrite's cost
    with Path(source).open("rb") as handle:
        first_line = handle.readline()
    warm, warm_out = Path(target).with_suffix(".warm"), Path(target).with_suffix(".warm-out")
    warm.write_bytes(first_line)
    warm_s3 = FileS3(warm, warm_out)
    ActivityEnvironment().run(DatasetActivities(lambda service, region: warm_s3).write_regional_manifest, inp)
    warm.unlink()
    warm_out.unlink()
    s3 = FileS3(Path(source), Path(target))
    activities = DatasetActivities(lambda service, region: s3)
    started = time.perf_counter()
    result = ActivityEnvironment().run(activities.write_regional_manifest, inp)
    seconds = time.perf_counter() - started
    from bench.proc import vm_hwm_mb

    print(f"{seconds} {result.lines} {result.rewritten} {result.bytes_written} {vm_hwm_mb()}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
