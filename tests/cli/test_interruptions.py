"""Issue 15.4/16.4: checks before starting, and one line (non-zero) on Ctrl-C or a lost Temporal server.

Real parts: the local AWS endpoint, a Temporal dev server, a worker process, the CLI as a subprocess.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from cli_helpers import PROJECT_ROOT, bootstrapped, free_port, printed_cli, run_cli, write_tfvars

from local_stack import health, processes
from local_stack.stack import SEARCH_ATTRIBUTES

MANIFEST = "datasets/x/output.manifest"


def _start_dev_server(state) -> str:
    from required_tools import temporal_cli_path

    binary = temporal_cli_path()
    port = free_port()
    command = [binary, "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), "--headless",
               "--log-level", "warn"]
    for key, kind in SEARCH_ATTRIBUTES.items():
        command += ["--search-attribute", f"{key}={kind}"]
    record = processes.spawn("temporal", command, env=dict(os.environ), cwd=state, pids_dir=state / "pids",
                             logs_dir=state / "logs")
    deadline = time.monotonic() + 60
    while not health.tcp_open("127.0.0.1", port):
        assert processes.is_alive(record) and time.monotonic() < deadline, processes.tail(state / "logs" / "temporal.log")
        time.sleep(0.2)
    return f"127.0.0.1:{port}"


@pytest.fixture
def world(local_aws, emulator, tmp_path):
    """One bootstrapped region, a dev server of its own (tests kill it) and an idle worker on a fresh queue."""
    queue = f"idle-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "one.tfvars", ["us-east-1"], temporal_task_queue=queue)
    _, resources = bootstrapped(tfvars)
    address = _start_dev_server(tmp_path)
    worker = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "tests" / "cli" / "idle_worker.py"), address, queue],
                              stdout=subprocess.PIPE, text=True)
    assert worker.stdout.readline().strip() == "polling"
    env = {"TEMPORAL_ADDRESS": address, "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    yield {"env": env, "bucket": resources.management_bucket, "address": address, "state": tmp_path}
    worker.kill()
    worker.wait()
    processes.stop(tmp_path / "pids", "temporal", grace_seconds=5)


def _upload_manifest(world, body: bytes = b'{"source-ref": "s3://b/images/a.png", "x-metadata": {}}\n') -> None:
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=world["bucket"], Key=MANIFEST, Body=body)


def _workflow_ids(address: str) -> list[str]:
    import asyncio

    from temporalio.client import Client

    async def ids() -> list[str]:
        client = await Client.connect(address)
        return [execution.id async for execution in client.list_workflows()]

    return asyncio.run(ids())


def _cli_process(world, *args: str) -> subprocess.Popen:
    env = {**os.environ, "GCL_USE_LOCAL_STACK": "0", "COLUMNS": "200", **world["env"]}
    return subprocess.Popen([sys.executable, str(PROJECT_ROOT / "cli.py"), *args], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_workflow(world, workflow_id: str) -> None:
    deadline = time.monotonic() + 60
    while workflow_id not in _workflow_ids(world["address"]):
        assert time.monotonic() < deadline, "the CLI never started the workflow"
        time.sleep(0.3)


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_missing_manifest_is_refused_before_any_workflow_starts(world):
    result = run_cli("build", "--version", "v1", "--manifest", MANIFEST, env=world["env"])
    assert result.returncode == 1, result.stdout + result.stderr
    line = _one_line(result.stderr)
    assert line == (f"error: manifest s3://{world['bucket']}/{MANIFEST} not found: upload the dataset first "
                    f"({printed_cli()} sync DIR) or pass --manifest")
    assert _workflow_ids(world["address"]) == []


def test_manifest_with_a_bom_is_refused_before_any_workflow_starts(world):
    _upload_manifest(world, b"\xef\xbb\xbf" + b'{"source-ref": "s3://b/a.png"}\n')
    result = run_cli("build", "--version", "v1", "--manifest", MANIFEST, env=world["env"])
    assert result.returncode == 1
    assert "byte order mark" in _one_line(result.stderr)
    assert _workflow_ids(world["address"]) == []


def test_the_check_is_one_line_then_the_operation_starts(world):
    _upload_manifest(world)
    result = run_cli("build", "--version", "v1", "--manifest", MANIFEST, "--no-wait", env=world["env"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"checked: manifest s3://{world['bucket']}/{MANIFEST} exists (56 B)"
    assert "build/AWSDeepRacer/v1" in _workflow_ids(world["address"])


def test_ctrl_c_while_following_is_one_line(world):
    _upload_manifest(world)
    cli = _cli_process(world, "build", "--version", "v1", "--manifest", MANIFEST)
    _wait_for_workflow(world, "build/AWSDeepRacer/v1")
    time.sleep(1)
    cli.send_signal(signal.SIGINT)
    _, stderr = cli.communicate(timeout=60)
    assert cli.returncode == 130
    assert _one_line(stderr) == ("interrupted: build/AWSDeepRacer/v1 keeps running if it started "
                                 f"({printed_cli()} status, or the Web UI)")


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8, 1.5, 2.5])
def test_ctrl_c_at_any_moment_is_one_line(world, delay):
    _upload_manifest(world)
    cli = _cli_process(world, "status")
    time.sleep(delay)
    cli.send_signal(signal.SIGINT)
    _, stderr = cli.communicate(timeout=60)
    if cli.returncode == 0:  # it finished before the signal
        return
    assert cli.returncode == 130, stderr
    assert _one_line(stderr).startswith("interrupted")


def test_losing_the_temporal_server_while_following_is_one_line(world):
    _upload_manifest(world)
    cli = _cli_process(world, "build", "--version", "v1", "--manifest", MANIFEST)
    _wait_for_workflow(world, "build/AWSDeepRacer/v1")
    processes.stop(world["state"] / "pids", "temporal", grace_seconds=5)
    _, stderr = cli.communicate(timeout=180)
    assert cli.returncode == 1
    assert _one_line(stderr).startswith("error: Temporal server error")
