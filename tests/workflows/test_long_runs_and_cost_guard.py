"""Bounded history for long trainings, no progress signals, and the cost guard kept by the project's owner."""


import pytest
import pytest_asyncio
from required_tools import temporal_test_server_path
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from test_operations import PROJECT, build, run, versions_in

from workflows.owner_api import project_workflow_id
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
async def test_a_long_training_polls_without_history_and_sends_no_progress_signals(env, worker, world, emulator):
    # 450 polls at 5 minutes = 37.5 hours of training in one region
    emulator.configure({"timing": {"per_region": {"us-east-1": {"TRAINING": 2 * POLLS_PER_RUN + 50}}}})
    emulator.reset_calls()
    summary = await build(env, worker, Regions=["us-east-1"], MaxTrainingHours=72)
    assert summary.succeeded == ["us-east-1"], summary.failed

    # the polls are the retries of one activity: no event per poll, one billed action per poll, no continue-as-new
    history = await env.client.get_workflow_handle(f"{PROJECT}/us-east-1/first").fetch_history()
    assert len(history.events) < 100
    polls = emulator.calls().get("us-east-1/DescribeProjectVersions", 0)
    assert polls >= 2 * POLLS_PER_RUN + 50
    timers = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    assert len(timers) <= 2 and not any(e.user_metadata.summary.data for e in timers)  # no payload per timer

    # progress travels in results: the front door gets one signal (the outcome), the operation's run none
    front_door = await env.client.get_workflow_handle(f"build/{PROJECT}/first/{worker}").fetch_history()
    run = await env.client.get_workflow_handle(f"build/{PROJECT}/first/{worker}/run").fetch_history()
    signalled = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    assert [e.event_type for e in front_door.events].count(signalled) == 1
    assert [e.event_type for e in run.events].count(signalled) == 0


async def owner_state(env) -> dict:
    return await env.client.get_workflow_handle(project_workflow_id(PROJECT)).query("state")


async def test_cost_guard_warns_then_stops_what_the_start_started(env, worker, world):
    await build(env, worker)
    world.messages()
    summary = await run(env, worker, "StartModelWorkflow",
                        {"ProjectName": PROJECT, "VersionNames": ["first"], "TtlHours": 2}, "start/ttl")
    assert summary.cost_guard_workflow_id == project_workflow_id(PROJECT)
    assert set(summary.stop_at["first"]) == set(world.regions)
    state = await owner_state(env)
    assert state["stop_at"] == summary.stop_at  # the owner keeps what the start asked for
    assert {versions_in(r)["first"] for r in world.regions} == {"RUNNING"}

    owner = env.client.get_workflow_handle(project_workflow_id(PROJECT))
    async with env.time_skipping_unlocked():  # handles from get_workflow_handle do not skip time by themselves
        outcome = await owner.result()  # it ends once nothing is guarded any more

    assert outcome.startswith("idle")
    assert {versions_in(r)["first"] for r in world.regions} == {"STOPPED"}
    bodies = world.messages()
    assert any("will be stopped" in b for b in bodies)  # the warning before
    assert any(b.startswith("stop AWSDeepRacer: 3/3 regions succeeded") for b in bodies)  # the stop's own summary


async def test_a_new_start_with_ttl_moves_the_stop_time_and_ttl_zero_removes_it(env, worker, world):
    await build(env, worker)
    start = {"ProjectName": PROJECT, "VersionNames": ["first"], "TtlHours": 1}
    await run(env, worker, "StartModelWorkflow", start, "start/ttl-1")
    first = (await owner_state(env))["stop_at"]["first"]
    await run(env, worker, "StartModelWorkflow", {**start, "TtlHours": 3}, "start/ttl-2")
    second = (await owner_state(env))["stop_at"]["first"]
    assert set(second) == set(world.regions) and all(second[r] > first[r] for r in world.regions)
    await run(env, worker, "StartModelWorkflow", {**start, "TtlHours": 0}, "start/no-guard")
    owner = env.client.get_workflow_handle(project_workflow_id(PROJECT))
    async with env.time_skipping_unlocked():
        assert (await owner.result()).startswith("idle")  # nothing guarded: the owner ended
    assert {versions_in(r)["first"] for r in world.regions} == {"RUNNING"}


async def test_a_partly_failed_start_guards_every_region_where_a_version_may_run(env, worker, world):
    """Issue 15: `second` exists in one region only, so the start fails elsewhere; `first` runs everywhere and
    must be stopped everywhere at the TTL."""
    await build(env, worker)
    await build(env, worker, version="second", Regions=["us-east-1"])
    summary = await run(env, worker, "StartModelWorkflow",
                        {"ProjectName": PROJECT, "VersionNames": ["first", "second"], "TtlHours": 1}, "start/partial")
    assert set(summary.failed) == set(world.regions) - {"us-east-1"}
    assert set(summary.stop_at["first"]) == set(world.regions) and set(summary.stop_at["second"]) == {"us-east-1"}
    owner = env.client.get_workflow_handle(project_workflow_id(PROJECT))
    async with env.time_skipping_unlocked():
        await owner.result()
    assert {versions_in(r)["first"] for r in world.regions} == {"STOPPED"}
    assert versions_in("us-east-1")["second"] == "STOPPED"
