"""Bounded history for long trainings, progress signals per status change, and the cost guard."""


import pytest
import pytest_asyncio
from required_tools import temporal_test_server_path
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from test_operations import PROJECT, build, run, versions_in

from workflows.cost_guard import cost_guard_workflow_id
from workflows.version import POLLS_PER_RUN


@pytest_asyncio.fixture
async def env():
    """A test server of its own per test: after a result awaited in time_skipping_unlocked() (the cost guard's,
    whose handle does not come from start_workflow) the server stopped skipping time for later workflows."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path()
    ) as environment:
        yield environment


@pytest.mark.slow
async def test_a_long_training_continues_as_new_and_signals_only_status_changes(env, worker, world, emulator):
    # 450 polls at 5 minutes = 37.5 hours of training in one region
    emulator.configure({"timing": {"per_region": {"us-east-1": {"TRAINING": 2 * POLLS_PER_RUN + 50}}}})
    summary = await build(env, worker, Regions=["us-east-1"], MaxTrainingHours=72)
    assert summary.succeeded == ["us-east-1"], summary.failed

    child = env.client.get_workflow_handle(f"{PROJECT}/us-east-1/first")
    last_run = await child.fetch_history()
    started = last_run.events[0].workflow_execution_started_event_attributes
    assert started.continued_execution_run_id, "the per-version workflow never continued as new"
    assert len(last_run.events) < 11 * POLLS_PER_RUN

    parent = await env.client.get_workflow_handle(f"build/{PROJECT}/first/{worker}").fetch_history()
    signals = [e for e in parent.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]
    assert 3 <= len(signals) <= 8  # CHECKING, WRITING_MANIFEST, CREATING, TRAINING_IN_PROGRESS, done: not per poll


async def test_cost_guard_warns_then_stops_what_the_start_started(env, worker, world):
    await build(env, worker)
    world.messages()
    summary = await run(env, worker, "StartModelWorkflow",
                        {"ProjectName": PROJECT, "VersionNames": ["first"], "TtlHours": 2}, "start/ttl")
    guard_id = cost_guard_workflow_id(PROJECT, ["first"])
    assert summary.cost_guard_workflow_id == guard_id
    guard = env.client.get_workflow_handle(guard_id)
    assert (await guard.query("expires_at")) is not None
    assert {versions_in(r)["first"] for r in world.regions} == {"RUNNING"}

    async with env.time_skipping_unlocked():  # handles from get_workflow_handle do not skip time by themselves
        outcome = await guard.result()

    assert outcome.startswith("TTL expired; stopped in ")
    assert {versions_in(r)["first"] for r in world.regions} == {"STOPPED"}
    bodies = world.messages()
    assert any("will be stopped at" in b for b in bodies)  # the warning before
    assert any(b.startswith("stop AWSDeepRacer: 3/3 regions succeeded") for b in bodies)  # the stop's own summary
    assert any(b.startswith("TTL expired; stopped in") for b in bodies)  # the guard's message after
    assert (await guard.query("expires_at")) is None


async def test_a_new_start_with_ttl_reschedules_the_running_guard(env, worker, world):
    await build(env, worker)
    start = {"ProjectName": PROJECT, "VersionNames": ["first"], "TtlHours": 1}
    await run(env, worker, "StartModelWorkflow", start, "start/ttl-1")
    guard = env.client.get_workflow_handle(cost_guard_workflow_id(PROJECT, ["first"]))
    first_expiry = await guard.query("expires_at")
    await run(env, worker, "StartModelWorkflow", {**start, "TtlHours": 3}, "start/ttl-2")
    second_expiry = await guard.query("expires_at")
    assert second_expiry > first_expiry
    await guard.signal("disarm")
    assert await guard.result() == "disarmed"
    assert {versions_in(r)["first"] for r in world.regions} == {"RUNNING"}
