"""`local up` -> `demo` -> `local down` as real subprocesses, on free ports in a temporary GCL_STATE_DIR."""

import json
import os
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local_stack import processes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from cli_helpers import assert_runs_from_a_fresh_shell

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _free_port_block(size: int) -> int:
    """A base port with `size` consecutive free ports (the inference endpoints: global + one per region)."""
    for _ in range(200):
        base = _free_port()
        if base + size < 65535 and not any(processes.port_in_use("127.0.0.1", base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports")


def _cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "cli.py"), *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=timeout)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Environment of a stack of our own; always taken down at the end, whatever failed."""
    state = tmp_path_factory.mktemp("stack")
    tfvars = state / "three.tfvars"
    tfvars.write_text('regions = ["us-east-1", "eu-west-1", "ap-southeast-1"]\nmanagement_region = "us-east-1"\n'
                      "poll_interval_seconds = 2\nmax_training_hours = 1\n"
                      # the endpoint serves only the allow-listed projects; the TTL test predicts with this one
                      'inference_extra_projects = ["Conflict"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TEMPORAL_", "GCL_"))}
    env.update({
        "GCL_STATE_DIR": str(state / "state"), "GCL_TFVARS": str(tfvars), "COLUMNS": "200",
        "GCL_AWS_PORT": str(_free_port()), "GCL_TEMPORAL_PORT": str(_free_port()),
        "GCL_TEMPORAL_UI_PORT": str(_free_port()), "GCL_INFERENCE_PORT": str(_free_port_block(len(REGIONS) + 1)),
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    yield env
    _cli("local", "down", "--grace", "5", "--force", env=env)


def _pids(env) -> dict[str, int]:
    pids_dir = Path(env["GCL_STATE_DIR"]) / "pids"
    return {path.stem: json.loads(path.read_text())["pid"] for path in pids_dir.glob("*.pid")}


def test_up_starts_every_component_and_writes_the_env_file(stack):
    result = _cli("local", "up", "--json", env=stack)
    assert result.returncode == 0, result.stdout + result.stderr
    status = json.loads(result.stdout)
    assert {c["name"]: c["state"] for c in status["components"]} == {
        "localaws": "running", "temporal": "running", "worker": "running", "inference": "running"}
    env_file = (Path(stack["GCL_STATE_DIR"]) / "env").read_text()
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "GCL_TFVARS", "GCL_ACCOUNT_ID", "GCL_IGNORE_TERRAFORM_STATE"):
        assert f"export {key}=" in env_file
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{stack['GCL_AWS_PORT']}" in env_file
    assert (Path(stack["GCL_STATE_DIR"]) / "logs" / "temporal.log").is_file()


def test_up_twice_is_a_no_op(stack):
    before = _pids(stack)
    result = _cli("local", "up", env=stack)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "already running" in result.stdout
    assert _pids(stack) == before


def test_port_taken_is_one_clear_line_and_starts_nothing(stack, tmp_path):
    other = {**stack, "GCL_STATE_DIR": str(tmp_path / "other"), "GCL_TEMPORAL_PORT": str(_free_port()),
             "GCL_TEMPORAL_UI_PORT": str(_free_port()), "GCL_INFERENCE_PORT": str(_free_port_block(4))}
    result = _cli("local", "up", env=other)  # GCL_AWS_PORT is the running stack's
    assert result.returncode == 1
    expected = (f"error: port {stack['GCL_AWS_PORT']} on 127.0.0.1 is already in use (localaws): "
                "stop what uses it or set GCL_AWS_PORT to a free port")
    assert result.stderr.strip().splitlines() == [expected]
    assert not (tmp_path / "other" / "pids").exists() or not list((tmp_path / "other" / "pids").glob("*.pid"))


def test_demo_runs_the_whole_job_in_every_region(stack):
    result = _cli("demo", env=stack, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    out = result.stdout
    for step in ("build", "start", "predict", "stop", "delete"):
        assert f"{step} " in out or f" {step}" in out
    assert "answered by" in out
    assert f"succeeded in {len(REGIONS)} region(s)" in out
    assert "failed in" not in out
    assert f"http://127.0.0.1:{stack['GCL_TEMPORAL_UI_PORT']}" in out
    # The commands the demo ends with work as printed from a fresh shell (not `python cli.py`, not a pipe).
    see = re.search(r"See it: (?P<cli>.+) local status", out)
    assert see and "Stop it: make local-down" in out and f"{see['cli']} local down" in out, out[-800:]
    assert "|" not in see["cli"]
    assert_runs_from_a_fresh_shell(see["cli"])


def test_cli_finds_the_running_stack_without_sourcing_the_env_file(stack):
    result = _cli("status", "--json", env={**stack, "GCL_USE_LOCAL_STACK": "1"})
    assert result.returncode == 0, result.stderr
    regions = json.loads(result.stdout)["regions"]
    assert [r["region"] for r in regions] == REGIONS
    assert all(r["error"] is None for r in regions)
    assert not any(r["project_exists"] for r in regions)  # the demo deleted its project


def _control(stack):
    from localaws.control import EmulatorControl

    return EmulatorControl(f"http://127.0.0.1:{stack['GCL_AWS_PORT']}")


def _wait_for(predicate, timeout: float = 120.0, interval: float = 0.5):
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(interval)


def _workflow_result(stack, workflow_id: str) -> dict:
    """Wait for a workflow the CLI started with --no-wait (through the Temporal client, as a script would)."""
    import asyncio

    from temporalio.client import Client

    async def result() -> dict:
        client = await Client.connect(f"127.0.0.1:{stack['GCL_TEMPORAL_PORT']}")
        return await asyncio.wait_for(client.get_workflow_handle(workflow_id).result(), timeout=180)

    return asyncio.run(result())


def test_an_overlapping_operation_is_queued_and_the_same_one_refused_with_one_line(stack):
    from local_stack.config import EMULATOR_TIMING

    control = _control(stack)
    control.configure({"timing": {"mode": "manual"}})  # trainings stay in progress until advanced
    try:
        manifest = "datasets/demo/output.manifest"  # uploaded by the demo
        first = _cli("build", "--project", "Conflict", "--version", "v1", "--manifest", manifest, "--no-wait",
                     "--json", env=stack)
        assert first.returncode == 0, first.stdout + first.stderr
        assert json.loads(first.stdout)["workflow_id"] == "build/Conflict/v1"
        _wait_for(lambda: len([v for v in control.versions() if v.get("project") == "Conflict"]) == len(REGIONS))

        # another operation on the version waits its turn (the project's owner runs it when the build ends)
        queued = _cli("start", "--versions", "v1", "--project", "Conflict", "--no-wait", env=stack)
        assert queued.returncode == 0, queued.stdout + queued.stderr
        assert "queued: build/Conflict/v1 is running on project Conflict" in queued.stdout
        # the same operation again is refused in one line
        again = _cli("build", "--version", "v1", "--manifest", manifest, "--project", "Conflict", env=stack)
        assert again.returncode == 1, again.stdout + again.stderr
        lines = again.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in again.stderr
        assert lines[0].startswith("error: build/Conflict/v1 is already running")
        assert {v["status"] for v in control.versions() if v.get("project") == "Conflict"} == {"TRAINING_IN_PROGRESS"}
    finally:
        control.advance(project="Conflict")
        control.configure({"timing": EMULATOR_TIMING})
    result = _workflow_result(stack, "build/Conflict/v1")
    assert sorted(result["succeeded"]) == sorted(REGIONS)
    started = _workflow_result(stack, "start/Conflict/v1")  # then the queued start ran
    assert sorted(started["succeeded"]) == sorted(REGIONS)
    status = _cli("status", "--project", "Conflict", "--json", env=stack)
    assert status.returncode == 0, status.stderr
    assert {v["status"] for r in json.loads(status.stdout)["regions"] for v in r["versions"]} == {"RUNNING"}


def test_start_with_ttl_shows_the_cost_guard_and_predict_answers(stack):
    started = _cli("start", "--project", "Conflict", "--versions", "v1", "--ttl", "2h", "--json", env=stack)
    assert started.returncode == 0, started.stdout + started.stderr
    result = json.loads(started.stdout)["result"]
    assert sorted(result["succeeded"]) == sorted(REGIONS) and result["failed"] == {}
    status = _cli("status", "--project", "Conflict", "--json", env=stack)
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    assert set(shown["stop_at"]["v1"]) == set(REGIONS)  # the project's owner stops it in every region
    for region in shown["regions"]:
        stop_at = datetime.fromisoformat(region["versions"][0]["stop_at"])
        assert timedelta(hours=1, minutes=55) < stop_at - datetime.now(UTC) <= timedelta(hours=2)

    image = Path(stack["GCL_STATE_DIR"]) / "demo-dataset" / "images" / "cone-01.png"
    answer = _cli("predict", str(image), "--project", "Conflict", "--version", "v1", "--json", env=stack)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    body = json.loads(answer.stdout)
    assert body["ServedRegion"] in REGIONS
    assert body["ProjectName"] == "Conflict" and body["VersionName"] == "v1"
    assert isinstance(body["CustomLabels"], list)

    stopped = _cli("stop", "--project", "Conflict", "--versions", "v1", env=stack)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert f"succeeded in {len(REGIONS)} region(s)" in stopped.stdout


def test_predict_for_a_stopped_model_is_one_line(stack):
    image = Path(stack["GCL_STATE_DIR"]) / "demo-dataset" / "images" / "cone-01.png"
    answer = _cli("predict", str(image), "--project", "Conflict", "--version", "v1", env=stack)
    assert answer.returncode == 1
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: http://127.0.0.1:")


def test_failure_in_one_region_exits_non_zero_with_the_regional_summary(stack):
    control = _control(stack)
    control.configure({"faults": {"fail_training": [{"region": "eu-west-1", "project": "Failing"}]}})
    try:
        result = _cli("build", "--project", "Failing", "--version", "v1", "--manifest",
                      "datasets/demo/output.manifest", env=stack)
    finally:
        control.configure({"faults": {"fail_training": []}})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "succeeded in 2 region(s)" in result.stdout
    assert "failed in 1" in result.stdout
    assert "1 region (eu-west-1)" in result.stdout
    lines = result.stdout.splitlines()  # issue 16.4: one glance
    assert len(lines) <= 15 and max(len(line) for line in lines) <= 120, result.stdout
    assert "CHECKING" not in result.stdout and lines[0].startswith("checked: manifest s3://")
    cleanup = _cli("delete", "--project", "Failing", "--yes", env=stack)
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr


def test_up_restarts_only_a_component_that_died(stack):
    import signal

    before = _pids(stack)
    os.kill(before["worker"], signal.SIGKILL)
    _wait_for(lambda: not processes.is_alive(processes.read_record(Path(stack["GCL_STATE_DIR"]) / "pids", "worker")))
    status = _cli("local", "status", "--json", env=stack)
    assert status.returncode == 1
    assert {c["name"]: c["state"] for c in json.loads(status.stdout)["components"]}["worker"] == "stopped"
    again = _cli("local", "up", env=stack)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "started: worker" in again.stdout
    after = _pids(stack)
    assert after["worker"] != before["worker"]
    assert {k: v for k, v in after.items() if k != "worker"} == {k: v for k, v in before.items() if k != "worker"}


def _temporal(stack, action: str, workflow_id: str) -> None:
    """Start a workflow that stays in flight (its task queue has no worker) or terminate it."""
    import asyncio

    from temporalio.client import Client

    async def run() -> None:
        client = await Client.connect(f"127.0.0.1:{stack['GCL_TEMPORAL_PORT']}")
        if action == "start":
            await client.start_workflow("BuildModelWorkflow", {"ProjectName": "InFlight"}, id=workflow_id,
                                        task_queue="nobody-polls-this")
        else:
            await client.get_workflow_handle(workflow_id).terminate("test over")

    asyncio.run(run())


def test_down_refuses_while_workflows_are_in_flight_and_up_reports_lost_state(stack):
    """Issue 15.4: `local down` refuses while a workflow runs; after local AWS dies the CLI refuses to fall back,
    and `local up` says the state was lost and which workflow it hits."""
    import signal

    _temporal(stack, "start", "build/InFlight/v1")
    try:
        refused = _cli("local", "down", env=stack)
        assert refused.returncode == 1
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "build/InFlight/v1" in lines[0] and "--force" in lines[0], refused.stderr
        assert all(processes.is_alive(processes.PidRecord("x", pid, None, [])) for pid in _pids(stack).values())

        os.kill(_pids(stack)["localaws"], signal.SIGKILL)  # local AWS crashes: its in-memory state is gone
        _wait_for(lambda: not processes.is_alive(processes.read_record(Path(stack["GCL_STATE_DIR"]) / "pids", "localaws")))
        unsourced = {k: v for k, v in stack.items() if not k.startswith(("AWS_", "TEMPORAL_"))}
        status = _cli("status", env={**unsourced, "GCL_USE_LOCAL_STACK": "1"})
        assert status.returncode == 1
        assert status.stderr.strip().splitlines() == [status.stderr.strip()] and "localaws exited" in status.stderr

        again = _cli("local", "up", "--json", env=stack)
        assert again.returncode == 0, again.stdout + again.stderr
        report = json.loads(again.stdout)
        assert report["local_aws_state_lost"] is True and "build/InFlight/v1" in report["affected_workflows"]
    finally:
        _temporal(stack, "terminate", "build/InFlight/v1")


def test_down_stops_everything_and_frees_the_ports(stack):
    pids = _pids(stack)
    result = _cli("local", "down", "--json", "--force", env=stack)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout).values()) <= {"stopped", "killed"}
    assert _pids(stack) == {}
    for pid in pids.values():
        assert not processes.is_alive(processes.PidRecord("x", pid, None, []))
    for variable in ("GCL_AWS_PORT", "GCL_TEMPORAL_PORT", "GCL_TEMPORAL_UI_PORT", "GCL_INFERENCE_PORT"):
        assert not processes.port_in_use("127.0.0.1", int(stack[variable]))
    status = _cli("local", "status", env=stack)
    assert status.returncode == 1
