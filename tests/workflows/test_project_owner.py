"""The project's owner (workflows/project.py): continue-as-new keeps what it owns, and junk never wedges it."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from test_operations import PROJECT, build, run, versions_in

from workflows.owner_api import project_workflow_id


@pytest.fixture
def env(own_server):
    """A server of its own per test: these tests await the owner's result with time skipping unlocked."""
    return own_server


async def test_the_owner_continues_as_new_between_operations_and_keeps_its_guard(env, worker, world):
    owner_id = project_workflow_id(PROJECT)
    await build(env, worker)
    for _ in range(100):  # the owner that ran it ends (nothing guarded); no result() wait: it would unlock time
        if (await env.client.get_workflow_handle(owner_id).describe()).status != WorkflowExecutionStatus.RUNNING:
            break
        await asyncio.sleep(0.05)
    far = (datetime.now(UTC) + timedelta(days=300)).isoformat()  # a guard keeps it alive until the start below
    owner = await env.client.start_workflow(
        "ProjectWorkflow", {"project": PROJECT, "continue_after_events": 20, "stop_at": {"first": {"us-east-1": far}}},
        id=owner_id, task_queue=worker)
    started = await run(env, worker, "StartModelWorkflow",
                        {"ProjectName": PROJECT, "VersionNames": ["first"], "TtlHours": 2}, "start/guarded")
    await build(env, worker, version="second")  # the owner continued as new by now: the guard must survive

    first_run = await env.client.get_workflow_handle(owner_id, run_id=owner.first_execution_run_id).fetch_history()
    assert first_run.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    state = await env.client.get_workflow_handle(owner_id).query("state")
    assert state["stop_at"] == started.stop_at and set(state["stop_at"]["first"]) == set(world.regions)

    async with env.time_skipping_unlocked():
        assert (await env.client.get_workflow_handle(owner_id).result()).startswith("idle")
    assert {versions_in(r)["first"] for r in world.regions} == {"STOPPED"}
    assert {versions_in(r)["second"] for r in world.regions} == {"TRAINING_COMPLETED"}


@pytest.mark.parametrize("payload", [None, "project", [1], {"project": ""}, {"project": "P", "stop_at": {"v": {"r": "soon"}}},
                                     {"project": "P", "operations": "many"}, {"project": "P", "queue": "x"}])
async def test_a_malformed_owner_input_fails_at_once_with_invalid_input(env, worker, payload):
    with pytest.raises(WorkflowFailureError) as raised:
        await env.client.execute_workflow("ProjectWorkflow", payload, id=f"owner-junk-{hash(str(payload))}",
                                          task_queue=worker)
    assert raised.value.cause.type == "InvalidInput"


@pytest.mark.parametrize("payload", [None, {"operation": "build"}, {"operation": "fly", "project": "P", "versions": [],
                                                                    "regions": None, "request": {}}])
async def test_an_operation_run_started_by_hand_with_junk_fails_at_once(env, worker, payload):
    with pytest.raises(WorkflowFailureError) as raised:
        await env.client.execute_workflow("ProjectOperationWorkflow", payload, id=f"run-junk-{hash(str(payload))}",
                                          task_queue=worker)
    assert raised.value.cause.type == "InvalidInput"
