"""worker.py on a real Temporal dev server: search attributes, UI summaries, clean errors and shutdown."""

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from required_tools import temporal_cli_path
from temporalio.testing import WorkflowEnvironment
from test_operations import PROJECT, build_input

from workflows import search_attributes as sa
from workflows.models import OperationSummary

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def dev_server():
    path = temporal_cli_path()
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=path, port=free_port(), ui=False, dev_server_extra_args=["--ip", "127.0.0.1"]
    ) as environment:
        yield environment


async def test_register_then_runs_are_searchable_and_summarised(dev_server, world):
    import worker

    client = dev_server.client
    assert await sa.register(client) == list(sa.DEFINITIONS)
    assert await sa.missing(client) == [] and await sa.register(client) == []

    stop = asyncio.Event()
    settings = world.settings.__class__(**{**world.settings.__dict__, "task_queue": "sa-test", "poll_interval_seconds": 1,
                                                 "poll_policy": "fixed"})  # real time: no 30-minute quiet period
    serving = asyncio.create_task(worker.run_worker(client, settings, world.resources, stop_event=stop))
    try:
        summary = await client.execute_workflow("BuildModelWorkflow", build_input(), id=f"build/{PROJECT}/first",
                                                task_queue="sa-test", result_type=OperationSummary)
        assert sorted(summary.succeeded) == sorted(world.regions)
        await asyncio.sleep(1.5)  # visibility is eventually consistent
        found = [e async for e in client.list_workflows(f'ProjectName = "{PROJECT}" AND Operation = "build"')]
        types = sorted(e.workflow_type for e in found)
        assert types.count("BuildModelWorkflow") == 1  # the front door, started without attributes, set its own
        assert types.count("ProjectOperationWorkflow") == 1  # the project's owner ran it
        assert types.count("RegionOperationWorkflow") == len(world.regions)
        assert types.count("ModelVersionWorkflow") == len(world.regions)
        by_region = [e async for e in client.list_workflows('Regions = "eu-west-1" AND VersionNames = "first"')]
        assert {e.workflow_type for e in by_region} == {"BuildModelWorkflow", "ProjectOperationWorkflow",
                                                        "RegionOperationWorkflow", "ModelVersionWorkflow"}
        child = await client.get_workflow_handle(f"{PROJECT}/eu-west-1/first").describe()
        assert await child.static_summary() == f"build {PROJECT} first in eu-west-1"
        assert child.typed_search_attributes.get(sa.MODEL_STATUS) == "TRAINING_COMPLETED"  # the live status
        owner = [e async for e in client.list_workflows(f'ProjectName = "{PROJECT}" AND Operation = "own"')]
        assert [e.workflow_type for e in owner] == ["ProjectWorkflow"]
    finally:
        stop.set()
        await serving


@pytest.mark.parametrize("attempt", range(6))  # the abort at exit came one run in three: six runs catch it
def test_worker_py_says_one_line_when_the_server_is_unreachable(tmp_path, attempt):
    env = {**os.environ, "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}", "GCL_ACCOUNT_ID": "123456789012",
           "GCL_IGNORE_TERRAFORM_STATE": "1"}
    env.pop("GCL_TFVARS", None)
    done = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 1, done.stderr  # not -6: the Temporal runtime's threads must not abort the exit
    assert "Traceback" not in done.stderr and "Fatal Python error" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("worker: cannot reach the Temporal server at 127.0.0.1:")


def test_the_worker_caps_glibcs_malloc_arenas():
    """The Linux images (python:3.11-slim, Debian) use glibc: the cap takes (issue 16.3, worker peak RSS)."""
    from worker import limit_malloc_arenas

    assert limit_malloc_arenas() is True
