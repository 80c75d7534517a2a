"""The four seed operations end to end: parent -> region children -> version children -> real activities."""

import asyncio
import json

import boto3
import pytest
from aws_world import MANIFEST_KEY
from conftest import CALLS_TIMING as CALLS
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from configuration.names import regional_manifest_key
from workflows.models import OperationSummary

PROJECT = "AWSDeepRacer"


async def run(env, queue, name, payload, workflow_id=None) -> OperationSummary:
    """Start a parent by type name with seed-style JSON (a plain dict), like `temporal workflow start`."""
    return await env.client.execute_workflow(
        name, payload, id=workflow_id or f"{name}-{json.dumps(payload, sort_keys=True)}", task_queue=queue,
        result_type=OperationSummary,
    )


def rows_by_key(summary: OperationSummary) -> dict:
    return {(r.region, r.version): r for r in summary.rows}


def versions_in(region: str) -> dict[str, str]:
    rek = boto3.client("rekognition", region_name=region)
    projects = rek.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"]
    if not projects:
        return {}
    described = rek.describe_project_versions(ProjectArn=projects[0]["ProjectArn"])["ProjectVersionDescriptions"]
    return {d["ProjectVersionArn"].split("/")[3]: d["Status"] for d in described}


def project_exists(region: str) -> bool:
    rek = boto3.client("rekognition", region_name=region)
    return bool(rek.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"])


def build_input(version="first", **extra):
    return {"ProjectName": PROJECT, "ManifestKey": MANIFEST_KEY, "VersionName": version, **extra}


async def build(env, queue, version="first", **extra):
    return await run(env, queue, "BuildModelWorkflow", build_input(version, **extra), f"build/{PROJECT}/{version}/{queue}")


# ------------------------------------------------------------------ build


async def test_build_trains_every_region_with_a_regional_manifest_and_notifies(env, worker, world):
    summary = await build(env, worker)

    assert summary.operation == "build" and summary.project == PROJECT
    assert sorted(summary.succeeded) == sorted(world.regions) and summary.failed == {}
    for region in world.regions:
        row = rows_by_key(summary)[(region, "first")]
        assert row.status == "TRAINING_COMPLETED" and row.ok and row.arn.startswith(f"arn:aws:rekognition:{region}:")
        assert versions_in(region) == {"first": "TRAINING_COMPLETED"}
        bucket = world.resources.training_buckets[region]
        body = world.s3(region).get_object(Bucket=bucket, Key=regional_manifest_key(PROJECT, "first"))["Body"].read()
        lines = [json.loads(line) for line in body.decode().splitlines()]
        assert len(lines) == 4
        assert all(line["source-ref"].startswith(f"s3://{bucket}/assets/deepracer/images/") for line in lines)
    messages = world.messages()
    assert len(messages) == 1
    assert "build AWSDeepRacer: 3/3 regions succeeded" in messages[0]
    published = json.loads(messages[0].splitlines()[-1])
    assert sorted(published["succeeded"]) == sorted(world.regions)


async def test_build_again_reports_the_existing_version_instead_of_duplicating(env, worker, world, emulator):
    await build(env, worker)
    calls_before = emulator.calls()
    again = await build(env, worker)

    assert sorted(again.succeeded) == sorted(world.regions)
    assert {r.detail for r in again.rows} == {"version already exists"}
    for region in world.regions:
        assert versions_in(region) == {"first": "TRAINING_COMPLETED"}
    created = {k: v for k, v in emulator.calls().items() if k.endswith("/CreateProjectVersion")}
    assert created == {k: v for k, v in calls_before.items() if k.endswith("/CreateProjectVersion")}


async def test_training_failed_in_one_region_is_reported_without_hiding_the_others(env, worker, world, emulator):
    emulator.configure({"faults": {"fail_training": [{"region": "eu-west-1"}]}})
    summary = await build(env, worker)

    assert sorted(summary.succeeded) == ["ap-southeast-2", "us-east-1"]
    assert list(summary.failed) == ["eu-west-1"]
    row = rows_by_key(summary)[("eu-west-1", "first")]
    assert row.status == "TRAINING_FAILED" and row.ok is False and row.error
    assert "2/3 regions succeeded" in (body := world.messages()[0]) and "FAILED eu-west-1:" in body


def calls_of(emulator, operation: str) -> dict[str, int]:
    """Emulator call counters of one operation, keyed by region."""
    return {k.split("/")[0]: v for k, v in emulator.calls().items() if k.endswith(f"/{operation}")}


async def test_rerun_after_failed_training_deletes_the_failed_version_and_trains_it_again(env, worker, world, emulator):
    emulator.configure({"faults": {"fail_training": [{"region": "eu-west-1"}]}})
    first = await build(env, worker)
    assert list(first.failed) == ["eu-west-1"] and versions_in("eu-west-1") == {"first": "TRAINING_FAILED"}
    emulator.configure({"faults": {"fail_training": []}})  # the cause is fixed
    created_before = calls_of(emulator, "CreateProjectVersion")

    again = await build(env, worker)

    assert sorted(again.succeeded) == sorted(world.regions) and again.failed == {}
    rows = rows_by_key(again)
    assert rows[("eu-west-1", "first")].status == "TRAINING_COMPLETED" and rows[("eu-west-1", "first")].detail == "trained"
    assert {rows[(r, "first")].detail for r in world.regions if r != "eu-west-1"} == {"version already exists"}
    for region in world.regions:
        assert versions_in(region) == {"first": "TRAINING_COMPLETED"}  # replaced, not duplicated
    assert set(calls_of(emulator, "DeleteProjectVersion")) == {"eu-west-1"}
    created = calls_of(emulator, "CreateProjectVersion")
    assert created["eu-west-1"] == created_before["eu-west-1"] + 1
    assert {r: n for r, n in created.items() if r != "eu-west-1"} == {
        r: n for r, n in created_before.items() if r != "eu-west-1"
    }


async def test_rerun_while_training_still_fails_reports_the_new_failure_once(env, worker, world, emulator):
    """No loop: the retrained version failing again ends the run with that failure."""
    emulator.configure({"faults": {"fail_training": [{"region": "eu-west-1", "message": "still broken"}]}})
    for _ in range(2):  # every region failed, so each run fails the workflow
        with pytest.raises(WorkflowFailureError) as raised:
            await build(env, worker, Regions=["eu-west-1"])
    again = raised.value.cause.details[0]

    assert "still broken" in again["failed"]["eu-west-1"]
    assert [row["status"] for row in again["rows"]] == ["TRAINING_FAILED"]
    assert calls_of(emulator, "DeleteProjectVersion") == {"eu-west-1": 1}
    assert calls_of(emulator, "CreateProjectVersion") == {"eu-west-1": 2}
    assert versions_in("eu-west-1") == {"first": "TRAINING_FAILED"}


async def test_strict_fails_the_workflow_but_still_publishes_the_summary(env, worker, world, emulator):
    emulator.configure({"faults": {"fail_training": [{"region": "eu-west-1"}]}})
    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, worker, Strict=True)
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "OperationFailed"
    assert "eu-west-1" in cause.message
    summary = cause.details[0]
    assert sorted(summary["succeeded"]) == ["ap-southeast-2", "us-east-1"]
    assert len(world.messages()) == 1


async def test_training_that_never_ends_times_out_after_max_training_hours(env, worker, world, emulator):
    emulator.configure({"timing": {"per_region": {"ap-southeast-2": {"mode": "manual"}}}})
    summary = await build(env, worker, MaxTrainingHours=2)

    assert list(summary.failed) == ["ap-southeast-2"]
    row = rows_by_key(summary)[("ap-southeast-2", "first")]
    assert row.status == "TIMED_OUT" and "limit" in row.error
    assert versions_in("ap-southeast-2") == {"first": "TRAINING_IN_PROGRESS"}


async def test_a_region_that_is_down_fails_alone(env, worker, world, emulator):
    emulator.configure({"faults": {"down_regions": ["eu-west-1"]}})
    summary = await build(env, worker)

    assert sorted(summary.succeeded) == ["ap-southeast-2", "us-east-1"]
    assert "ServiceUnavailable" in summary.failed["eu-west-1"]
    assert "eu-west-1" in summary.failed["eu-west-1"]


async def test_every_region_down_fails_the_workflow(env, worker, world, emulator):
    """The management region is down too: the dataset cannot even be checked, so nothing starts anywhere."""
    emulator.configure({"faults": {"down_regions": list(world.regions)}})
    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, worker)
    assert raised.value.cause.type == "DatasetPreflightFailed"
    assert "could not run: us-east-1 HeadObject: 503" in raised.value.cause.message
    emulator.configure({"faults": {"down_regions": []}})
    assert not any(project_exists(region) for region in world.regions)


async def test_every_training_region_down_fails_the_workflow(env, worker, world, emulator):
    down = [region for region in world.regions if region != world.settings.management_region]
    emulator.configure({"faults": {"down_regions": down}})
    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, worker, Regions=down)
    assert raised.value.cause.type == "OperationFailed"
    assert f"failed in {len(down)} region(s)" in raised.value.cause.message


async def test_throttling_storm_is_ridden_out_with_retries(env, worker, world, emulator):
    emulator.configure({"faults": {"throttle_rate": 0.4, "throttle_seed": 7}})
    summary = await build(env, worker)

    assert sorted(summary.succeeded) == sorted(world.regions), summary.failed
    throttled = emulator.config()["faults"]["throttle_rate"]
    assert throttled == 0.4
    # every region trained once despite the throttled attempts
    for region in world.regions:
        assert versions_in(region) == {"first": "TRAINING_COMPLETED"}


async def version_status(env, region: str, version: str = "first") -> str | None:
    """The per-version workflow's last reported status (its `state` query), None before it started."""
    from temporalio.service import RPCError

    try:
        state = await env.client.get_workflow_handle(f"{PROJECT}/{region}/{version}").query("state")
    except RPCError:
        return None
    return state.get("last_status")


async def wait_for_status(env, regions, status: str, version: str = "first") -> None:
    for _ in range(300):
        found = {region: await version_status(env, region, version) for region in regions}
        if set(found.values()) == {status}:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never {status} everywhere: {found}")


async def test_build_waits_for_replication_then_trains(env, worker, world):
    objects = world.dataset()
    world.s3("us-east-1").delete_object(Bucket=world.resources.training_buckets["eu-west-1"], Key=objects[1][0])
    handle = await env.client.start_workflow(
        "BuildModelWorkflow", build_input(), id=f"build/{PROJECT}/first/{worker}", task_queue=worker, result_type=OperationSummary
    )
    await wait_for_status(env, ["eu-west-1"], "WAITING_FOR_REPLICATION")
    world.replicate("eu-west-1", [objects[1]])
    summary = await handle.result()
    assert sorted(summary.succeeded) == sorted(world.regions)


async def test_missing_manifest_fails_fast_with_a_clear_message(env, worker, world):
    with pytest.raises(WorkflowFailureError) as raised:
        await run(env, worker, "BuildModelWorkflow", build_input(ManifestKey="assets/none/output.manifest"),
                  "build/missing-manifest")
    assert raised.value.cause.type == "DatasetRejected"  # by the dataset preflight, before any region started
    assert "/assets/none/output.manifest not found" in raised.value.cause.message


# ------------------------------------------------------------------ start / stop / delete


async def test_start_stop_delete_cycle_is_idempotent(env, worker, world, emulator):
    await build(env, worker)
    start = {"ProjectName": PROJECT, "VersionNames": ["first"], "MinInferenceUnits": 1}
    started = await run(env, worker, "StartModelWorkflow", start, "start/1")
    assert {r.status for r in started.rows} == {"RUNNING"} and not started.failed
    again = await run(env, worker, "StartModelWorkflow", start, "start/2")
    assert {r.detail for r in again.rows} == {"already running"}
    starts = sum(v for k, v in emulator.calls().items() if k.endswith("/StartProjectVersion"))
    assert starts == len(world.regions)

    stopped = await run(env, worker, "StopModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]}, "stop/1")
    assert {r.status for r in stopped.rows} == {"STOPPED"}
    deleted = await run(env, worker, "DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]}, "del/1")
    assert {r.status for r in deleted.rows} == {"DELETED"}
    for region in world.regions:
        assert versions_in(region) == {} and project_exists(region)  # named versions only: project kept
    deleted_again = await run(env, worker, "DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]},
                              "del/2")
    assert not deleted_again.failed and {r.status for r in deleted_again.rows} == {"DELETED"}


async def test_starting_an_unknown_version_fails_in_every_region_with_a_reason(env, worker, world):
    await build(env, worker)
    with pytest.raises(WorkflowFailureError) as raised:
        await run(env, worker, "StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["nope"]}, "start/nope")
    summary = raised.value.cause.details[0]
    assert all("version nope not found" in reason for reason in summary["failed"].values())


async def test_hierarchical_delete_stops_running_versions_then_deletes_everything(env, worker, world, emulator):
    await build(env, worker, "first")
    await build(env, worker, "second")
    await run(env, worker, "StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]}, "start/h")

    summary = await run(env, worker, "DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": []}, "delete/h")

    assert sorted(summary.succeeded) == sorted(world.regions)
    rows = rows_by_key(summary)
    for region in world.regions:
        assert rows[(region, "first")].status == "DELETED" and rows[(region, "second")].status == "DELETED"
        assert rows[(region, "*")].status == "DELETED"
        assert not project_exists(region)
    stops = sum(v for k, v in emulator.calls().items() if k.endswith("/StopProjectVersion"))
    assert stops == len(world.regions)  # the running version was stopped, never orphaned


async def test_deleting_a_project_that_exists_nowhere_fails_with_one_reason(env, worker, world):
    """A typo'd project name (issue 15): before, the delete reported DELETED in every region."""
    with pytest.raises(WorkflowFailureError) as raised:
        await run(env, worker, "DeleteModelWorkflow", {"ProjectName": "AWSDeepRacr", "VersionNames": []}, "delete/typo")
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "ProjectNotFound" and cause.non_retryable
    assert cause.message.startswith(f"delete AWSDeepRacr: the project does not exist in any of the {len(world.regions)}")


async def test_deleting_a_project_left_in_some_regions_finishes_the_job(env, worker, world):
    """Idempotent where it matters: a delete that finds the project in only one region deletes it there."""
    await build(env, worker, Regions=[world.regions[0]])
    summary = await run(env, worker, "DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": []}, "delete/rest")
    assert sorted(summary.succeeded) == sorted(world.regions) and not summary.failed
    assert not any(project_exists(region) for region in world.regions)


async def test_a_second_operation_on_the_same_version_waits_its_turn(env, worker, world, emulator):
    """Started with any id, an overlapping operation is queued by the project's owner: it touches nothing until
    the first ends, then runs, and every region ends in the same state."""
    emulator.configure({"timing": {"mode": "manual"}})
    building = await env.client.start_workflow(
        "BuildModelWorkflow", build_input(), id=f"build/{PROJECT}/first/{worker}", task_queue=worker, result_type=OperationSummary
    )
    await wait_for_status(env, world.regions, "TRAINING_IN_PROGRESS")
    deleting = await env.client.start_workflow(
        "DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"]}, id="anything-at-all",
        task_queue=worker, result_type=OperationSummary)
    owner = env.client.get_workflow_handle(f"project/{PROJECT}")
    for _ in range(100):
        state = await owner.query("state")
        if state["queued"]:
            break
        await asyncio.sleep(0.1)
    assert [q["operation"] for q in state["queued"]] == ["delete"] and state["queued"][0]["requested_by"] == "anything-at-all"
    assert [r["operation"] for r in state["running"]] == ["build"]
    for region in world.regions:
        assert versions_in(region) == {"first": "TRAINING_IN_PROGRESS"}  # the delete touched nothing

    emulator.advance()
    built = await building.result()
    assert sorted(built.succeeded) == sorted(world.regions)
    emulator.configure({"timing": CALLS})
    deleted = await deleting.result()
    assert sorted(deleted.succeeded) == sorted(world.regions)
    assert {r.status for r in deleted.rows} == {"DELETED"}
    for region in world.regions:
        assert versions_in(region) == {}


async def test_regions_override_and_unconfigured_region(env, worker, world):
    summary = await build(env, worker, Regions=["eu-west-1"])
    assert summary.succeeded == ["eu-west-1"] and {r.region for r in summary.rows} == {"eu-west-1"}
    assert versions_in("us-east-1") == {}
    with pytest.raises(WorkflowFailureError) as raised:
        await run(env, worker, "StopModelWorkflow",
                  {"ProjectName": PROJECT, "VersionNames": ["first"], "Regions": ["sa-east-1"]}, "stop/bad-region")
    assert raised.value.cause.type == "InvalidInput" and "sa-east-1" in raised.value.cause.message


@pytest.mark.parametrize(
    "name,payload,expected",
    [
        ("BuildModelWorkflow", {"ProjectName": "bad name!", "ManifestKey": "k", "VersionName": "v"}, "invalid project"),
        ("BuildModelWorkflow", {"ProjectName": PROJECT, "VersionName": "v"}, "ManifestKey is required"),
        ("StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": []}, "at least one version"),
        ("StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["a"], "MinInferenceUnits": 0}, "at least 1"),
        ("StopModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["a", "a"]}, "listed twice"),
        ("DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": [], "PollPolicy": "x"}, "unknown PollPolicy"),
    ],
)
async def test_bad_input_fails_fast_with_one_readable_line(env, worker, name, payload, expected):
    with pytest.raises(WorkflowFailureError) as raised:
        await run(env, worker, name, payload)
    assert raised.value.cause.type == "InvalidInput"
    assert expected in raised.value.cause.message and "\n" not in raised.value.cause.message


WRONG_SHAPES = {
    "project is a number": ("StopModelWorkflow", {"ProjectName": 5, "VersionNames": ["first"]},
                            "ProjectName must be a string"),
    "regions is a string": ("StopModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"],
                                                  "Regions": "eu-west-1"}, "Regions must be a list of strings"),
    "version names is a string": ("StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": "first"},
                                  "VersionNames must be a list of strings"),
    "version names hold a number": ("DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": [1]},
                                    "VersionNames must be a list of strings"),
    "units is text": ("StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["first"],
                                             "MinInferenceUnits": "2"}, "MinInferenceUnits must be a whole number"),
    "strict is a string": ("BuildModelWorkflow", {"ProjectName": PROJECT, "ManifestKey": "k", "VersionName": "v",
                                                  "Strict": "yes"}, "Strict must be true or false"),
    "input is a list": ("BuildModelWorkflow", ["AWSDeepRacer"], "must be a JSON object"),
}


@pytest.mark.parametrize("case", list(WRONG_SHAPES))
async def test_json_of_the_wrong_shape_fails_at_once_instead_of_retrying_forever(env, worker, world, case):
    name, payload, expected = WRONG_SHAPES[case]
    handle = await env.client.start_workflow(name, payload, id=f"shape/{case}/{worker}", task_queue=worker)
    # A decode failure before run() would be a workflow task retried forever: bound the wait so it shows as a failure.
    with pytest.raises(WorkflowFailureError) as raised:
        await asyncio.wait_for(handle.result(), timeout=60)
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "InvalidInput" and cause.non_retryable
    assert expected in cause.message and "\n" not in cause.message
    assert world.messages() == []  # failed before any region was touched
    for region in world.regions:
        assert not project_exists(region)


async def test_python_callers_may_still_pass_the_dataclass_input(env, worker, world):
    from workflows.models import BuildModelInput, StopModelInput
    from workflows.parents import BuildModelWorkflow, StopModelWorkflow

    built = await env.client.execute_workflow(
        BuildModelWorkflow.run,
        BuildModelInput(ProjectName=PROJECT, ManifestKey=MANIFEST_KEY, VersionName="first", Regions=["eu-west-1"]),
        id=f"dataclass-build/{worker}", task_queue=worker, result_type=OperationSummary,
    )
    assert built.succeeded == ["eu-west-1"] and versions_in("eu-west-1") == {"first": "TRAINING_COMPLETED"}
    stopped = await env.client.execute_workflow(
        StopModelWorkflow.run, StopModelInput(ProjectName=PROJECT, VersionNames=["first"], Regions=["eu-west-1"]),
        id=f"dataclass-stop/{worker}", task_queue=worker, result_type=OperationSummary,
    )
    assert stopped.succeeded == ["eu-west-1"] and rows_by_key(stopped)[("eu-west-1", "first")].detail == "not running"
