"""adopt survives a worker SIGKILL in the middle of the copy: no image lost, none copied twice.

The real local stack (`local up`: localaws, Temporal dev server with SQLite, `python worker.py`). A project is made
as the console makes it (boto3 only) with 400 images, so the copy runs in four batches of 100. Once copying, half
the S3 PUTs (CopyObject) answer SlowDown, so images are copied slowly (retried with backoff), and the worker is
SIGKILLed once a batch is durable and the next one partly copied: the retry on a new worker must find those copies
in place, whatever its heartbeat had recorded.
The management bucket is versioned, so an image copied twice would show as a second version of its key.
"""

import sys

import pytest
import reliability_harness as harness

sys.path.insert(0, str(harness.PROJECT_ROOT / "tests" / "workflows"))
from console_project import ConsoleProject

pytestmark = pytest.mark.reliability

PROJECT = "AdoptDurable"
SOURCE_REGION = "ap-northeast-2"
TARGETS = ["us-east-1", "eu-west-1"]
IMAGES = 400


def _copies(stack) -> dict[str, int]:
    s3 = stack.boto3("s3", stack.settings.management_region)
    found: dict[str, int] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=stack.management_bucket,
                                                                  Prefix=f"adopted/{PROJECT}/images/"):
        for version in page.get("Versions", []):
            found[version["Key"]] = found.get(version["Key"], 0) + 1
    return found


def _test_images(stack, region: str) -> set[str]:
    import json

    from configuration.names import training_bucket_name
    from workflows.version import regional_test_manifest_key

    bucket = training_bucket_name(stack.settings.name_prefix, "123456789012", region)
    body = stack.boto3("s3", region).get_object(Bucket=bucket, Key=regional_test_manifest_key(PROJECT, "v1"))["Body"]
    return {json.loads(line)["source-ref"].rsplit("/", 1)[1] for line in body.read().decode().splitlines() if line}


def test_worker_sigkill_in_the_middle_of_the_copy_neither_loses_nor_duplicates_an_image(clean):
    stack = clean
    console = ConsoleProject(SOURCE_REGION, PROJECT, "adopt-durable-source", train_images=240, test_images=160,
                             endpoint_url=stack.aws_url).create()
    before = console.fingerprint()
    args = ["adopt", "--project", PROJECT, "--from-region", SOURCE_REGION, "--no-wait", "--json"]
    for region in TARGETS:
        args += ["--region", region]
    started = stack.cli(*args)
    assert started.returncode == 0, started.output
    workflow_id = started.json()["workflow_id"]
    harness.FIGURES.workflow_runs["AdoptProjectWorkflow"] += 1

    harness.wait_for(lambda: (stack.progress(workflow_id) or {}).get("phase") == "copying", what="the copy",
                     interval=0.05)
    stack.configure({"faults": {"throttle_rate": 0.5, "throttle_operations": ["PUT"]}})  # slow copies (SlowDown)

    def batch_in_flight():
        count = len(_copies(stack))
        return count if count > 100 and count % 100 else None  # a batch durable, the next one partly copied

    harness.wait_for(batch_in_flight, what="the second batch partly copied", interval=0.05)
    stack.kill("worker")
    harness.FIGURES.faults["worker SIGKILL (adopt, mid-copy)"] += 1
    at_kill = _copies(stack)
    assert 100 < len(at_kill) < IMAGES and len(at_kill) % 100, len(at_kill)  # killed in the middle of a batch
    stack.clear_faults()
    stack.up()  # `local up` restarts what is not running: the worker

    kind, summary = stack.workflow_outcome(workflow_id)

    assert kind == "completed", summary
    assert summary["copied"] + summary["skipped"] == IMAGES and summary["unreadable_count"] == 0, summary
    copies = _copies(stack)
    assert len(copies) == IMAGES, f"{IMAGES - len(copies)} image(s) lost"
    assert [key for key, versions in copies.items() if versions > 1] == [], "image(s) copied twice"
    rows = {row["region"]: row for row in summary["regions"]}
    for region in TARGETS:
        assert rows[region]["status"] == "TRAINING_COMPLETED", rows[region]
        assert rows[region]["source_f1_score"] == summary["source_f1_score"] is not None
        assert _test_images(stack, region) == console.image_set("TEST")
    assert console.fingerprint() == before

    # leave nothing behind (tests/reliability/test_zz_inventory.py): the adopted copies, then the source
    deleted = stack.cli("delete", "--project", PROJECT, "--yes", "--json", *[arg for r in TARGETS for arg in ("--region", r)])
    assert deleted.returncode == 0, deleted.output
    console.delete()
