"""`python cli.py adopt` as a subprocess with every real part: the local AWS endpoint (bootstrapped like terraform
apply for three regions), a Temporal dev server and the real worker (`python worker.py`). The source project is
made with boto3 only, as the console makes it, in a region that is not configured."""

import json
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from cli_helpers import PROJECT_ROOT, bootstrapped, run_cli, worker_process, write_tfvars

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
SOURCE = "us-west-2"
PROJECT = "Console"


@pytest.fixture
def source(local_aws, emulator, temporal_address, tmp_path):
    """Three configured regions bootstrapped like terraform apply, and the console-made project in SOURCE."""
    sys.path.insert(0, str(PROJECT_ROOT / "tests" / "workflows"))
    from console_project import ConsoleProject

    emulator.configure({"timing": {"mode": "time", "TRAINING": 0.5, "DATASET": 0.1}, "replication_delay_seconds": 0})
    queue = f"adopt-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "three.tfvars", REGIONS, temporal_task_queue=queue, poll_policy="fixed")
    bootstrapped(tfvars)
    console = ConsoleProject(SOURCE, PROJECT, f"users-{uuid.uuid4().hex[:8]}").create()
    env = {"TEMPORAL_ADDRESS": temporal_address, "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    return env, console


@pytest.fixture
def stack(source):
    """`source` and the real worker (`python worker.py`)."""
    env, console = source
    with worker_process(env):
        yield env, console


def adopt(env, *args: str) -> subprocess.CompletedProcess:
    """`adopt` once the worker polls (the CLI refuses to start a workflow no worker would run)."""
    deadline = time.monotonic() + 120
    while True:
        result = run_cli("adopt", "--project", PROJECT, "--from-region", SOURCE, *args, env=env, timeout=600)
        if "no worker is polling" not in result.stderr or time.monotonic() > deadline:
            return result
        time.sleep(1)


def f1_in(region: str) -> float:
    rek = boto3.client("rekognition", region_name=region)
    arn = rek.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"][0]["ProjectArn"]
    return rek.describe_project_versions(ProjectArn=arn)["ProjectVersionDescriptions"][0]["EvaluationResult"]["F1Score"]


def test_adopt_trains_every_region_and_shows_f1_beside_the_source_then_says_already_global(stack):
    env, console = stack
    source_f1 = console.describe_version()["EvaluationResult"]["F1Score"]

    first = adopt(env)

    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith(f"adopt/{PROJECT}/{SOURCE}  http")
    assert lines[1] == (f"adopt {PROJECT} v1 from {SOURCE} (source F1 {source_f1:.4f}): 6 train + 4 test entries "
                        "(datasets), 10 images, 10 copied")
    assert lines[2].split() == ["Region", "Status", "F1", "Source", "F1", "Difference", "Detail"]
    for region in REGIONS:
        f1 = f1_in(region)
        shown = next(line for line in lines if line.startswith(region)).split()
        assert shown == [region, "TRAINING_COMPLETED", f"{f1:.4f}", f"{source_f1:.4f}", f"{f1 - source_f1:+.4f}"]
    assert lines[-1].startswith(f"adopt {PROJECT} v1 from {SOURCE} (source F1 {source_f1:.4f}): succeeded in 3 region(s)")
    assert all(len(line) <= 120 for line in lines)

    again = adopt(env, "--json")

    assert again.returncode == 0, again.stdout + again.stderr
    outcome = json.loads(again.stdout)
    assert outcome["workflow_id"] == f"adopt/{PROJECT}/{SOURCE}" and outcome["error"] is None
    summary = outcome["result"]
    assert summary["already_global"] and summary["copied"] == 0 and summary["source_f1_score"] == source_f1
    assert {r["region"]: (r["status"], r["f1_score"], r["source_f1_score"]) for r in summary["regions"]} == {
        region: ("TRAINING_COMPLETED", f1_in(region), source_f1) for region in REGIONS}


def test_an_image_that_cannot_be_read_is_named_and_the_exit_code_is_1(stack):
    env, console = stack
    missing = console.train_keys[3]
    console.client("s3").delete_object(Bucket=console.bucket, Key=missing)

    result = adopt(env)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"s3://{console.bucket}/{missing}: not found (404)" in result.stdout
    assert "1 of 10 image(s) cannot be copied, nothing was trained:" in result.stdout
    assert all(len(line) <= 120 for line in result.stdout.splitlines())
    assert "Traceback" not in result.stdout + result.stderr


BAD_INPUT = [
    (("--from-region", "us-west-9"), "--from-region us-west-9 does not offer Custom Labels (did you mean us-west-2?)"),
    (("--from-region", SOURCE, "--project", "Consle"), f"project Consle not found in {SOURCE} (did you mean {PROJECT}?)"),
    (("--from-region", SOURCE, "--project", PROJECT, "--version", "v01"),
     f"version v01 of project {PROJECT} not found in {SOURCE} (did you mean v1?) (versions: v1)"),
    (("--from-region", SOURCE, "--project", PROJECT, "--region", "eu-west-9"),
     "unknown region(s) eu-west-9 (did you mean eu-west-1?)"),
]


@pytest.mark.parametrize("args,line", BAD_INPUT)
def test_bad_input_is_one_line_with_did_you_mean(source, args, line):
    env, _ = source
    result = run_cli("adopt", *args, env=env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {line}") and result.stderr.count("\n") == 1, result.stderr


def test_the_live_view_shows_the_copy_then_the_build_table():
    from rich.console import Console

    from cli_commands.adopt import _view

    console = Console(width=100, force_terminal=True, color_system=None, record=True)
    summary = {"project": PROJECT, "source_region": SOURCE, "version": "v1", "images": 400, "copied": 150,
               "skipped": 20, "unreadable_count": 1}
    build = {"rows": [{"region": "us-east-1", "version": "v1", "status": "TRAINING_IN_PROGRESS", "detail": "training"}]}
    console.print(_view({"phase": "building", "summary": summary}, build))
    console.print(_view(None, None))
    lines = console.export_text().splitlines()
    assert lines[0] == f"adopt {PROJECT} from {SOURCE}: building"
    assert lines[1].endswith("171/400 images (150 copied, 20 already there, 1 unreadable)") and "━" in lines[1]
    assert lines[3].split() == ["Region", "Version", "Status", "Detail"]
    assert lines[4].split() == ["us-east-1", "v1", "TRAINING_IN_PROGRESS", "training"]
    assert lines[-1] == "adopt: waiting for the worker"
