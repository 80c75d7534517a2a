"""Issue 15.5: the replication check and the regional rewrite in linear time and bounded memory whatever the
manifest's size or line lengths; a BOM refused; lines end at "\\n" only (real S3 on the local endpoint)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_world import MANIFEST_KEY
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.dataset import DatasetActivities
from workflows.models import ManifestRewriteInput, ReplicationCheckInput

PROBE = Path(__file__).with_name("manifest_memory_probe.py")
REGION = "eu-west-1"
MEGABYTES = int(os.environ.get("GCL_BIG_MANIFEST_MB", "200"))  # 1000: the 1 GB case


def _put_everywhere(world, body: bytes, key: str = MANIFEST_KEY) -> None:
    """The same bytes in the management and the regional bucket (what replication leaves), single-part ETags."""
    world.s3("us-east-1").put_object(Bucket=world.resources.management_bucket, Key=key, Body=body)
    world.s3(REGION).put_object(Bucket=world.resources.training_buckets[REGION], Key=key, Body=body)


def _check_input(world, key: str = MANIFEST_KEY) -> ReplicationCheckInput:
    return ReplicationCheckInput(REGION, world.resources.management_bucket, key,
                                 world.resources.training_buckets[REGION], "us-east-1")


def _image(world) -> str:
    key = "images/only.png"
    for region, bucket in (("us-east-1", world.resources.management_bucket),
                           (REGION, world.resources.training_buckets[REGION])):
        world.s3(region).put_object(Bucket=bucket, Key=key, Body=b"png")
    return key


def _manifest(bucket: str, key: str, megabytes: int, pad: int) -> tuple[bytes, int]:
    line = json.dumps({"source-ref": f"s3://{bucket}/{key}", "vehicle": 0,
                       "vehicle-metadata": {"class-name": "car", "pad": "p" * pad}}).encode() + b"\n"
    count = megabytes * 1_000_000 // len(line)
    return line * count, count


def _probe(kind: str, inp) -> tuple[dict, int]:
    done = subprocess.run([sys.executable, str(PROBE), kind, json.dumps(inp.__dict__)], env=dict(os.environ),
                          capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    *_, result, peak = done.stdout.splitlines()
    return json.loads(result), int(peak)


@pytest.mark.parametrize("pad", [400_000])  # long lines; short ones would mean a HeadObject per line, ~1M of them
def test_replication_check_of_a_large_manifest_in_bounded_memory(world, pad):
    image = _image(world)
    body, count = _manifest(world.resources.training_buckets[REGION], image, MEGABYTES, pad)
    _put_everywhere(world, body)
    del body
    result, peak = _probe("check", _check_input(world))
    print(f"check_replication, {MEGABYTES} MB manifest, {count} lines of ~{pad} B: peak {peak / 1e6:.1f} MB")
    assert result == {"complete": True, "lines": count}
    assert peak < 32 * 1024 * 1024


@pytest.mark.parametrize("pad", [150, 400_000])
def test_regional_rewrite_of_a_large_manifest_in_bounded_memory(world, pad):
    bucket = world.resources.training_buckets[REGION]
    body, count = _manifest(world.resources.management_bucket, "images/x.png", MEGABYTES, pad)
    world.s3(REGION).put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=body)
    del body
    result, peak = _probe("rewrite", ManifestRewriteInput(REGION, bucket, MANIFEST_KEY, bucket, "regional.manifest"))
    print(f"write_regional_manifest, {MEGABYTES} MB manifest, {count} lines of ~{pad} B: peak {peak / 1e6:.1f} MB")
    assert result == {"lines": count, "rewritten": count}
    assert peak < 48 * 1024 * 1024


def _permanent(call, inp) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(call, inp)
    assert raised.value.non_retryable and raised.value.type == "InvalidManifestException"
    return raised.value


def test_a_bom_is_refused_by_the_replication_check(world, clients):
    image = _image(world)
    line = json.dumps({"source-ref": f"s3://{world.resources.training_buckets[REGION]}/{image}"}).encode()
    _put_everywhere(world, b"\xef\xbb\xbf" + line + b"\n")
    error = _permanent(DatasetActivities(clients).check_replication, _check_input(world))
    assert "byte order mark" in error.message


def test_a_bom_is_refused_by_the_rewrite(world, clients):
    bucket = world.resources.training_buckets[REGION]
    world.s3(REGION).put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=b'\xef\xbb\xbf{"source-ref": "s3://m/k"}\n')
    error = _permanent(DatasetActivities(clients).write_regional_manifest,
                       ManifestRewriteInput(REGION, bucket, MANIFEST_KEY, bucket, "regional.manifest"))
    assert "byte order mark" in error.message


def test_a_huge_single_line_is_refused_at_once(world, clients):
    """The issue's 16 MB single-line manifest: refused after reading ~1 MiB, not quadratically gathered."""
    body = b'{"source-ref": "s3://b/k.png", "pad": "' + b"p" * (16 * 1024 * 1024) + b'"}'
    _put_everywhere(world, body)
    error = _permanent(DatasetActivities(clients).check_replication, _check_input(world))
    assert "line 1 is longer than 1 MiB" in error.message
    bucket = world.resources.training_buckets[REGION]
    error = _permanent(DatasetActivities(clients).write_regional_manifest,
                       ManifestRewriteInput(REGION, bucket, MANIFEST_KEY, bucket, "regional.manifest"))
    assert "line 1 is longer than 1 MiB" in error.message


def test_a_line_separator_inside_a_string_does_not_split_the_line(world, clients):
    image = _image(world)
    bucket = world.resources.training_buckets[REGION]
    line = json.dumps({"source-ref": f"s3://{world.resources.management_bucket}/{image}", "note": "a\u2028b\u0085c"},
                      ensure_ascii=False).encode()
    _put_everywhere(world, line + b"\n" + line + b"\n")
    check = ActivityEnvironment().run(DatasetActivities(clients).check_replication, _check_input(world))
    assert check.complete and check.lines_verified == 2
    result = ActivityEnvironment().run(DatasetActivities(clients).write_regional_manifest,
                                       ManifestRewriteInput(REGION, bucket, MANIFEST_KEY, bucket, "regional.manifest"))
    assert (result.lines, result.rewritten) == (2, 2)
    written = world.s3(REGION).get_object(Bucket=bucket, Key="regional.manifest")["Body"].read()
    assert [json.loads(part)["note"] for part in written.split(b"\n") if part] == ["a\u2028b\u0085c"] * 2
