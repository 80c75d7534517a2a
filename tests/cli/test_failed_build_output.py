"""Issue 16.4 with every real part: a build that fails in all 11 regions for one reason reads in one glance.

Local AWS endpoint (bootstrapped like terraform apply for the 11 Custom Labels regions), a Temporal dev server,
the real worker (`python worker.py`) and the CLI as a subprocess. The dataset is valid (it passes the dataset
preflight, issue 17) but training fails everywhere with the same cause (an injected training failure). A dataset
the preflight rejects reads in one glance too: a headline and one line per finding, no region table.
"""

import json
import subprocess
import uuid

import boto3
import pytest
from cli_helpers import bootstrapped, run_cli, worker_process, write_tfvars

from configuration.regions import CUSTOM_LABELS_REGIONS

MANIFEST = "datasets/broken/output.manifest"


@pytest.fixture
def eleven_regions(local_aws, emulator, temporal_address, tmp_path):
    queue = f"failed-build-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "eleven.tfvars", list(CUSTOM_LABELS_REGIONS), temporal_task_queue=queue,
                          poll_policy="fixed")
    _, resources = bootstrapped(tfvars)
    env = {"TEMPORAL_ADDRESS": temporal_address, "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    with worker_process(env):
        yield env, resources


def _build_when_the_worker_is_ready(env, *extra: str) -> subprocess.CompletedProcess:
    import time

    deadline = time.monotonic() + 120
    while True:  # the worker is ready once the CLI stops refusing for lack of one
        result = run_cli("build", "--version", "v1", "--manifest", MANIFEST, *extra, env=env, timeout=600)
        if "no worker is polling" not in result.stderr or time.monotonic() > deadline:
            return result
        time.sleep(1)


def _upload(resources, images: dict[str, bytes], labels: dict[str, str]) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for key, body in images.items():
        s3.put_object(Bucket=resources.management_bucket, Key=key, Body=body)
    lines = [json.dumps({"source-ref": f"s3://{resources.management_bucket}/{key}", "vehicle": 0,
                         "vehicle-metadata": {"class-name": label}}) for key, label in labels.items()]
    s3.put_object(Bucket=resources.management_bucket, Key=MANIFEST, Body=("\n".join(lines) + "\n").encode())


def _upload_a_valid_dataset(resources) -> None:
    from local_stack.sample_dataset import encode_png

    keys = {f"datasets/broken/images/{label}-{i}.png": label for label in ("car", "cone") for i in range(2)}
    _upload(resources, {key: encode_png([bytes([i * 50] * 3) * 64] * 64, 64) for i, key in enumerate(keys)}, keys)


def test_a_build_failing_everywhere_is_at_most_15_lines_of_at_most_120_characters(eleven_regions, emulator):
    env, resources = eleven_regions
    _upload_a_valid_dataset(resources)
    emulator.configure({"faults": {"fail_training": [{"message": "InternalServerError: training stopped unexpectedly"}]}})
    result = _build_when_the_worker_is_ready(env)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    print(result.stdout)
    assert len(lines) <= 15, result.stdout
    assert max(len(text) for text in lines) <= 120, result.stdout
    assert "CHECKING" not in result.stdout and "Traceback" not in result.stderr
    assert lines[0].startswith(f"checked: manifest s3://{resources.management_bucket}/{MANIFEST} exists")
    assert sum(region in result.stdout for region in CUSTOM_LABELS_REGIONS) == 11
    causes = [text for text in lines if "training stopped unexpectedly" in text and "TRAINING_FAILED" not in text]
    assert len(causes) == 1 and causes[0].startswith("build AWSDeepRacer v1: failed in 11 of 11 region(s)"), result.stdout


def test_a_rejected_dataset_is_a_headline_and_one_line_per_finding(eleven_regions, emulator):
    env, resources = eleven_regions
    keys = {f"datasets/broken/images/nowhere-{i}.png": "car" for i in range(12)}
    _upload(resources, {}, keys)  # twelve images that are nowhere, one label
    result = _build_when_the_worker_is_ready(env)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    print(result.stdout)
    assert len(lines) <= 15 and max(len(text) for text in lines) <= 120, result.stdout
    assert "Traceback" not in result.stderr and "waiting for the worker" not in result.stdout
    assert "output.manifest rejected, nothing created: 13 problem(s)" in lines[2], result.stdout
    assert lines[3].startswith("  manifest: ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: 12 of 12 JSON lines invalid")
    assert lines[4].startswith("  line 1: ERROR_INVALID_IMAGE: s3://") and "nowhere-0.png does not exist" in lines[4]
    assert lines[-1] == "  and 3 more", result.stdout
    described = [boto3.client("rekognition", region_name=region).describe_projects()["ProjectDescriptions"]
                 for region in CUSTOM_LABELS_REGIONS]
    assert described == [[]] * 11  # nothing was created anywhere


def test_a_failed_canary_shows_ten_regions_not_attempted_in_one_glance(eleven_regions, emulator):
    """Issue 17.2: the canary's training fails; the ten others are NOT_ATTEMPTED rows, nothing created there."""
    env, resources = eleven_regions
    _upload_a_valid_dataset(resources)
    emulator.configure({"faults": {"fail_training": [{"region": "eu-west-1", "message": "InternalServerError: boom"}]}})
    result = _build_when_the_worker_is_ready(env, "--canary", "eu-west-1")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    print(result.stdout)
    assert len(lines) <= 15 and max(len(text) for text in lines) <= 120, result.stdout
    others = [region for region in CUSTOM_LABELS_REGIONS if region != "eu-west-1"]
    skipped = [text for text in lines if "NOT_ATTEMPTED" in text]
    assert sorted(text.split()[0] for text in skipped) == sorted(others), result.stdout
    assert all("canary eu-west-1 failed" in text for text in skipped), result.stdout
    head = next(text for text in lines if text.startswith("build AWSDeepRacer v1: "))
    assert head.startswith("build AWSDeepRacer v1: 1 failed, 10 not attempted of 11 region(s) ("), head
    assert "s): canary eu-west-1 f" in head and head.endswith(": InternalServerError: boom"), head  # why (cut within 120)
    canary = next(text for text in lines if text.startswith("eu-west-1 "))
    assert "TRAINING_FAILED" in canary and "InternalServerError: boom" in canary
    created = [region for region in others
               if boto3.client("rekognition", region_name=region).describe_projects()["ProjectDescriptions"]]
    assert created == []  # the canary's failure left the ten others untouched
