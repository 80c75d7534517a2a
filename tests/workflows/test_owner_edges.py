"""Edges of the project's owner found by the property tests (test_owner_signals.py), as plain examples: a guard
whose model someone deleted outside the workflows, a stop time no TTL can give, and a hand-made ticket whose
request names other versions than the ticket does."""

from __future__ import annotations

import asyncio

import boto3
import pytest
from endings import ending, runs
from temporalio.api.enums.v1 import EventType
from test_operations import PROJECT, build, run, versions_in, wait_for_status

from workflows.owner_api import (
    PROJECT_WORKFLOW,
    STATE_QUERY,
    SUBMIT_SIGNAL,
    project_workflow_id,
    reserved_for,
)


@pytest.fixture
def env(own_server):
    """A server of its own per test: these tests await the owner's result with time skipping unlocked."""
    return own_server


def delete_outside_the_workflows(region: str, version: str) -> None:
    """What a user does in the console or with the AWS CLI: stop the model, then delete the version."""
    rek = boto3.client("rekognition", region_name=region)
    project_arn = rek.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"][0]["ProjectArn"]
    arn = next(d["ProjectVersionArn"] for d in rek.describe_project_versions(ProjectArn=project_arn)
               ["ProjectVersionDescriptions"] if d["ProjectVersionArn"].split("/")[3] == version)
    rek.stop_project_version(ProjectVersionArn=arn)
    for _ in range(100):
        if versions_in(region)[version] == "STOPPED":
            break
        rek.describe_project_versions(ProjectArn=project_arn)  # calls timing: transitions advance on describes
    rek.delete_project_version(ProjectVersionArn=arn)
    for _ in range(100):
        if version not in versions_in(region):
            return
    raise AssertionError(f"{version} never went away in {region}")


async def test_a_guard_whose_model_was_deleted_outside_ends_instead_of_retrying_forever(env, worker, world):
    """The guard's stop finds nothing in one region (NOT_FOUND): nothing bills there, the guard is done. Before,
    the owner retried that stop every 15 minutes forever and never ended."""
    await build(env, worker)
    await run(env, worker, "StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"], "TtlHours": 1},
              "start/ttl")
    delete_outside_the_workflows("eu-west-1", "first")
    owner = env.client.get_workflow_handle(project_workflow_id(PROJECT))
    async with env.time_skipping_unlocked():
        ended = await ending(owner)
    assert ended.status == "completed" and str(ended.result).startswith("idle: 2 operation(s)"), ended  # start, stop
    assert {versions_in(r).get("first") for r in world.regions} == {"STOPPED", None}
    chain = await runs(env.client, owner.id)
    timers = [e for events in chain for e in events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    assert len(chain) == 1 and len(timers) <= 3, f"the owner polled while its stop ran: {len(timers)} timers"


async def test_a_stop_time_no_ttl_can_give_is_refused(env, worker, world):
    """A guard 8,000 years away (only a hand-made input can hold one) would need a timer Temporal cannot set."""
    handle = await env.client.start_workflow(
        PROJECT_WORKFLOW, {"project": "Far", "stop_at": {"v": {"us-east-1": "9999-12-31T23:59:59+00:00"}}},
        id=project_workflow_id("Far"), task_queue=worker)
    ended = await ending(handle)
    assert ended.status == "failed" and ended.error_type == "InvalidInput", ended
    assert "9999-12-31" in ended.message


async def test_a_hand_made_ticket_is_scheduled_by_what_its_request_names(env, worker, world, emulator):
    """A ticket that says `zz` but whose request stops `first` must wait for the build of `first`, like the
    StopModelWorkflow a user would start: the owner trusts the validated request, not the ticket."""
    emulator.configure({"timing": {"mode": "manual"}})
    building = await env.client.start_workflow("BuildModelWorkflow", {"ProjectName": PROJECT, "VersionName": "first",
                                               "ManifestKey": "assets/deepracer/output.manifest"},
                                               id="build/first", task_queue=worker)
    await wait_for_status(env, world.regions, "TRAINING_IN_PROGRESS")
    owner = env.client.get_workflow_handle(project_workflow_id(PROJECT))
    await owner.signal(SUBMIT_SIGNAL, {
        "operation": "delete", "project": PROJECT, "versions": ["zz"], "regions": ["us-east-1"],
        "request": {"ProjectName": PROJECT, "VersionNames": ["first"]}, "requester_id": "hand-made", "requester_run_id": None,
    })
    for _ in range(50):
        state = await owner.query(STATE_QUERY)
        if state["queued"] or len(state["running"]) > 1:
            break
        await asyncio.sleep(0.1)
    assert [q["versions"] for q in state["queued"]] == [["first"]] and len(state["running"]) == 1, state
    assert {versions_in(r)["first"] for r in world.regions} == {"TRAINING_IN_PROGRESS"}  # nothing deleted meanwhile
    emulator.advance()
    assert (await ending(building)).status == "completed"



async def test_a_run_holding_the_owners_id_fails_the_operations_with_one_reason(env, worker, world):
    """Another team's workflow (any type, any task queue) started under `project/AWSDeepRacer` takes the id every
    operation on the project hands its request to. Before, the request was signalled to that run, which has no
    `submit` handler: every operation of the project waited for an answer forever. Now each fails at once, saying
    which run holds the id, and nothing is created in AWS."""
    owner_id = project_workflow_id(PROJECT)
    await env.client.start_workflow("SomeoneElsesWorkflow", {}, id=owner_id, task_queue="someone-else")
    stop = await env.client.start_workflow("StopModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]},
                                           id="stop/while-squatted", task_queue=worker)
    ended = await ending(stop)
    assert ended.status == "failed" and ended.error_type == "ProjectOwnerIdTaken" and ended.non_retryable, ended
    assert owner_id in ended.message and "SomeoneElsesWorkflow" in ended.message, ended.message
    assert not ended.task_failures, ended
    assert all(versions_in(region) == {} for region in world.regions)


@pytest.mark.parametrize("workflow_id", [project_workflow_id(PROJECT), project_workflow_id("Other"),
                                         f"{PROJECT}/eu-west-1/first", f"{PROJECT}/ap-southeast-2/anything"])
async def test_a_front_door_under_an_id_the_system_reserves_is_refused(env, worker, world, workflow_id):
    """A build started as `--workflow-id project/AWSDeepRacer` (or a version's lock id) would hold the id the
    project's work needs: it fails at once as InvalidInput, touching nothing."""
    handle = await env.client.start_workflow(
        "BuildModelWorkflow", {"ProjectName": PROJECT, "VersionName": "first",
                               "ManifestKey": "assets/deepracer/output.manifest"}, id=workflow_id, task_queue=worker)
    ended = await ending(handle)
    assert ended.status == "failed" and ended.error_type == "InvalidInput" and "reserved" in ended.message, ended
    assert all(versions_in(region) == {} for region in world.regions)


def test_the_clis_ids_are_never_reserved_whatever_the_names():
    """The CLI's `{operation}/{project}/{versions}` has the shape of a version lock when the project's name looks
    like a region: it is only refused when it is a lock of the front door's own project, which it never is."""
    from cli_commands.launch import OperationRequest

    for project in ("us-east-1", "my-app-1", "cv-defects-12", "build", "run", "project"):
        for operation, versions in (("build", ["v1"]), ("start", ["a", "b"]), ("delete", []), ("stop", ["run"])):
            request = OperationRequest(operation, project, versions, [])
            assert reserved_for(request.workflow_id, project) is None, request.workflow_id
    assert reserved_for("build/us-east-1/v1", "build") is not None  # a lock of project `build`, by a front door of it


async def test_a_front_door_cancelled_while_it_hands_its_request_over_ends_cancelled(env):
    """Cancelling a front door while its submit activity runs ends it Cancelled, not Failed (OperationFailed), so
    the Web UI and the CLI say what happened. The real workflows, with a submit activity that waits to be
    cancelled (the owner is slow to answer)."""
    from temporalio import activity
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.worker import Worker

    from worker import workflow_runner
    from workflows import activity_api as api
    from workflows.registry import SERVED

    submitting = asyncio.Event()

    @activity.defn(name=api.SUBMIT_OPERATION)
    async def submit_that_waits(_inp: dict) -> dict:
        submitting.set()
        while True:
            activity.heartbeat()
            await asyncio.sleep(0.1)

    queue = "cancel-while-submitting"
    async with Worker(env.client, task_queue=queue, workflows=SERVED, activities=[submit_that_waits],
                      workflow_runner=workflow_runner()):
        handle = await env.client.start_workflow(
            "StopModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]}, id="stop/cancelled",
            task_queue=queue)
        await asyncio.wait_for(submitting.wait(), timeout=60)
        await handle.cancel()
        async with env.time_skipping_unlocked():
            for _ in range(200):
                if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                    break
                await asyncio.sleep(0.05)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
