"""Issue 15.2/15.6: conflicting operations started together, with any workflow ids, end in one state everywhere.

Randomized rounds on a real Temporal dev server (the `temporal` binary from pip) with the real worker and
activities against the local AWS endpoint: each round starts 2-5 build/start/stop/delete runs of overlapping
versions in the same instant (asyncio.gather; one of them with the `temporal workflow start` CLI itself), with ids
a user might type, the CLI's, or ids of the system's own workflows. Afterwards:
- every run ended by itself (completed, or failed with a named non-retryable type), with no failed workflow task;
- every workflow the round set going is closed (described one by one), and the project's owner ended idle;
- each version has the same status in every region (read with boto3);
- no model is RUNNING: every start carried a TTL of seconds, and the owner's guard stopped it.
The emulator's transitions complete after a number of DescribeProjectVersions calls, so the outcome does not
depend on the machine's speed. More rounds: GCL_RACE_ROUNDS=30; docs/reliability.md gives the figures.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import pytest_asyncio
from aws_world import MANIFEST_KEY, World
from endings import ending, exists
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from required_tools import temporal_cli_path
from temporalio.client import WorkflowExecutionStatus
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.testing import WorkflowEnvironment
from test_operations import PROJECT, versions_in

from workflows.ids import child_id
from workflows.owner_api import PROJECT_WORKFLOW, operation_workflow_id, project_workflow_id
from workflows.region import version_workflow_id

ROUNDS = int(os.environ.get("GCL_RACE_ROUNDS", "6"))
VERSIONS = ("first", "second")
TIMING = {"mode": "calls", "TRAINING": 3, "STARTING": 2, "STOPPING": 2, "DELETING": 1}
TTL_HOURS = (0.001, 0.002)  # 3.6 and 7.2 seconds: the guard stops every start within the round
NAMED_FAILURES = {"InvalidInput", "OperationFailed", "ProjectNotFound", "ProjectOwnerIdTaken", "OperationConflict"}
FIGURES = {"rounds": 0, "operations": 0, "workflows described": 0, "left running": 0, "models running after TTL": 0,
           "split versions": 0}


@pytest.fixture(scope="module")
def regions() -> tuple[str, ...]:
    return ("us-east-1", "eu-west-1", "ap-southeast-2")


@pytest_asyncio.fixture(scope="module")
async def env():
    """A real dev server: rounds run in real time (1-second polls, TTLs of seconds)."""
    async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path()) as environment:
        yield environment


@pytest.fixture
def world(emulator, regions):
    """The conftest's world with 1-second fixed polls, and `first` already in the manifest's bucket."""
    emulator.configure({"timing": TIMING, "replication_delay_seconds": 0})
    created = World(regions, poll_interval_seconds=1, poll_policy="fixed").create()
    created.upload()
    return created


@pytest_asyncio.fixture
async def fast_worker(env, world):
    from worker import build_worker

    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(env.client, world.settings, world.resources, executor, task_queue="races"):
            built = await ending(await env.client.start_workflow(  # rounds start with `first` trained everywhere
                "BuildModelWorkflow", payload("BuildModelWorkflow", ["first"], 0), id="races/first", task_queue="races"))
            assert built.status == "completed", built
            yield "races"


def payload(kind: str, versions: list[str], ttl: float) -> dict:
    if kind == "BuildModelWorkflow":
        return {"ProjectName": PROJECT, "VersionName": (versions or ["first"])[0], "ManifestKey": MANIFEST_KEY}
    request = {"ProjectName": PROJECT, "VersionNames": versions or (["first"] if kind != "DeleteModelWorkflow" else [])}
    if kind == "StartModelWorkflow":
        request["TtlHours"] = ttl
    return request


ids = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40),
    st.sampled_from([f"stop/{PROJECT}/first", f"start/{PROJECT}/first,second", "x", "🙂 run", "a" * 900,
                     project_workflow_id(PROJECT), version_workflow_id(PROJECT, "eu-west-1", "first")]),
)
operations = st.lists(
    st.fixed_dictionaries({
        "kind": st.sampled_from(["BuildModelWorkflow", "StartModelWorkflow", "StopModelWorkflow", "DeleteModelWorkflow"]),
        "versions": st.lists(st.sampled_from(VERSIONS), max_size=2, unique=True),
        "ttl": st.sampled_from(TTL_HOURS),
        "id": ids,
    }),
    min_size=2, max_size=5, unique_by=lambda op: op["id"],
)


async def start_with_the_cli(env, queue: str, kind: str, workflow_id: str, request: dict) -> None:
    """`temporal workflow start`, exactly as a user of the seed's Step Functions would start a run."""
    import json

    command = [temporal_cli_path(), "workflow", "start", "--address", env.client.service_client.config.target_host,
               "--task-queue", queue, "--type", kind, "--workflow-id", workflow_id, "--input", json.dumps(request)]
    process = await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = await process.communicate()
    if process.returncode != 0 and "already" in output.decode().lower():
        raise WorkflowAlreadyStartedError(workflow_id, kind)
    assert process.returncode == 0, output.decode()


async def closed(env, workflow_id: str) -> bool:
    """True when no run of this id is running (or it never existed)."""
    handle = env.client.get_workflow_handle(workflow_id)
    if not await exists(handle):
        return True
    FIGURES["workflows described"] += 1
    return (await handle.describe()).status != WorkflowExecutionStatus.RUNNING


@pytest.mark.slow
@settings(max_examples=ROUNDS, deadline=None, derandomize=True, database=None, print_blob=True,
          phases=[Phase.explicit, Phase.generate],  # a round takes seconds of real time: report it, do not shrink
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(round_=operations)
@example(round_=[  # the case: start and stop of one version in the same instant, with ids of one's own
    {"kind": "StartModelWorkflow", "versions": ["first"], "ttl": 0.002, "id": "mine-1"},
    {"kind": "StopModelWorkflow", "versions": ["first"], "ttl": 0.002, "id": "mine-2"},
])
async def test_conflicting_operations_end_in_one_state_in_every_region(env, fast_worker, world, regions, round_):
    FIGURES["rounds"] += 1
    FIGURES["operations"] += len(round_)
    client, queue = env.client, fast_worker
    *by_client, last = round_
    starts = [client.start_workflow(op["kind"], payload(op["kind"], op["versions"], op["ttl"]), id=op["id"],
                                    task_queue=queue) for op in by_client]
    started = await asyncio.gather(*starts, start_with_the_cli(env, queue, last["kind"], last["id"], payload(
        last["kind"], last["versions"], last["ttl"])), return_exceptions=True)
    for op, start in zip(round_, started, strict=True):  # Temporal itself refuses an id a running workflow holds
        assert not isinstance(start, BaseException) or isinstance(start, WorkflowAlreadyStartedError), (op, start)
    round_ = [op for op, start in zip(round_, started, strict=True) if not isinstance(start, BaseException)]
    endings = await asyncio.gather(*(ending(client.get_workflow_handle(op["id"])) for op in round_))
    for op, ended in zip(round_, endings, strict=True):
        assert ended.status in ("completed", "failed") and not ended.task_failures, (op, ended)
        if ended.status == "failed":
            assert ended.error_type in NAMED_FAILURES and ended.non_retryable, (op, ended)

    owner = client.get_workflow_handle(project_workflow_id(PROJECT))  # started by the first front door it served
    if (await owner.describe()).workflow_type == PROJECT_WORKFLOW:
        owner_ended = await ending(owner)  # the guards stop what the round started, then the owner ends
        assert owner_ended.status == "completed" and str(owner_ended.result).startswith("idle"), owner_ended
        assert not owner_ended.task_failures, owner_ended
    else:  # a front door of the round took the owner's id for a moment: it was refused, the others were told why
        assert all(e.status == "completed" or e.error_type in ("InvalidInput", "ProjectOwnerIdTaken") for e in endings)

    ids_of_round = [project_workflow_id(PROJECT)]
    for op in round_:
        run = operation_workflow_id(op["id"], PROJECT, 0)
        ids_of_round += [op["id"], run, *(child_id(run, region) for region in regions)]
    ids_of_round += [version_workflow_id(PROJECT, region, v) for region in regions for v in VERSIONS]
    still_running = [workflow_id for workflow_id in ids_of_round if not await closed(env, workflow_id)]
    FIGURES["left running"] += len(still_running)
    assert still_running == []

    statuses = {region: versions_in(region) for region in regions}
    for version in VERSIONS:
        seen = {statuses[region].get(version, "absent") for region in regions}
        FIGURES["split versions"] += len(seen) > 1
        FIGURES["models running after TTL"] += sum(statuses[r].get(version) == "RUNNING" for r in regions)
        assert len(seen) == 1, f"{version} ended split across regions: {statuses}; round: {round_}; {endings}"
        assert seen != {"RUNNING"}, f"{version} still RUNNING after its TTL: {statuses}"


def teardown_module():
    print("\nFIGURES", FIGURES)
