"""Issue 16.4 with every real part: a build that fails in all 11 regions for one reason reads in one glance.

Local AWS endpoint (bootstrapped like terraform apply for the 11 Custom Labels regions), a Temporal dev server,
the real worker (`python worker.py`) and the CLI as a subprocess. The manifest exists (so `build` starts) but
names an image that is nowhere: every region fails the replication check with the same cause.
"""

import json
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


def test_a_build_failing_everywhere_is_at_most_15_lines_of_at_most_120_characters(eleven_regions):
    import time

    env, resources = eleven_regions
    line = json.dumps({"source-ref": f"s3://{resources.management_bucket}/datasets/broken/images/nowhere.png",
                       "vehicle": 0, "vehicle-metadata": {"class-name": "car"}}) + "\n"
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=resources.management_bucket, Key=MANIFEST,
                                                           Body=line.encode())
    deadline = time.monotonic() + 120
    while True:  # the worker is ready once the CLI stops refusing for lack of one
        result = run_cli("build", "--version", "v1", "--manifest", MANIFEST, env=env, timeout=600)
        if "no worker is polling" not in result.stderr or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    print(result.stdout)
    assert len(lines) <= 15, result.stdout
    assert max(len(text) for text in lines) <= 120, result.stdout
    assert "CHECKING" not in result.stdout and "Traceback" not in result.stderr
    assert lines[0].startswith(f"checked: manifest s3://{resources.management_bucket}/{MANIFEST} exists")
    assert sum(region in result.stdout for region in CUSTOM_LABELS_REGIONS) == 11
    causes = [text for text in lines if "11 regions" in text]
    assert len(causes) == 1 and "never replicate" in causes[0], result.stdout
