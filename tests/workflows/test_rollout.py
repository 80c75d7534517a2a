"""Issue 17.2/17.3 with the real parts: canary builds, failure tolerance, waves and the F1 gate of a start.

Real workflows (front door -> project's owner -> its run -> regions -> versions) and the real activities against
the local endpoint, on the time-skipping server. Five regions, so a rollout has something to save; what a run
did not touch is checked with boto3 (no project, no version), how many regions ran at once from the run's history.
"""

import dataclasses
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError
from test_operations import PROJECT, build_input, project_exists, rows_by_key, run, versions_in

from workflows.models import OperationSummary

REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-southeast-2")
CANARY = "eu-west-1"


@pytest.fixture
def regions() -> tuple[str, ...]:
    """conftest's world, with five regions."""
    return REGIONS


async def build(env, queue, **extra) -> OperationSummary:
    return await run(env, queue, "BuildModelWorkflow", build_input("first", **extra), f"build/{PROJECT}/first/{queue}")


async def failed_build(env, queue, **extra) -> tuple[OperationSummary, list[dict]]:
    """A build that fails as a whole (OperationFailed): the summary it carries."""
    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, queue, **extra)
    cause = raised.value.cause
    assert cause.type == "OperationFailed", cause
    return OperationSummary(**{**cause.details[0], "rows": []}), cause.details[0]["rows"]


def untouched(regions) -> list[str]:
    """The regions where a project or a version exists (should be none)."""
    return [region for region in regions if project_exists(region) or versions_in(region)]


def trained_at(emulator) -> dict[str, tuple[float, float]]:
    """region -> (when the version was created, when its training completed), from the emulator's own clock."""
    found = {}
    for version in emulator.versions():
        history = {entry["status"]: entry["at"] for entry in version["history"]}
        found[version["region"]] = (version["history"][0]["at"], history.get("TRAINING_COMPLETED"))
    return found


async def test_a_canary_trains_first_then_every_other_region_with_each_evaluation_reported(env, worker, world, emulator):
    emulator.configure({"evaluation": {"default": {"f1": 0.85},
                                       "per_region": {"us-east-1": {"f1": 0.81}, "us-west-2": {"f1": 0.93}}}})
    summary = await build(env, worker, CanaryRegion=CANARY, MinF1=0.5)

    assert sorted(summary.succeeded) == sorted(REGIONS) and not summary.failed and not summary.not_attempted
    times = trained_at(emulator)
    canary_done = times[CANARY][1]
    assert canary_done is not None
    assert all(created >= canary_done for region, (created, _) in times.items() if region != CANARY), times
    scores = summary.evaluation["first"]
    assert set(scores) == set(REGIONS) and scores["us-east-1"]["f1"] == 0.81 and scores["us-west-2"]["f1"] == 0.93
    assert all(0 <= figures["precision"] <= 1 and figures["test_images"] >= 1 for figures in scores.values())
    message = world.messages()[0]
    assert "build AWSDeepRacer: 5/5 regions succeeded" in message
    row = next(line for line in message.splitlines() if line.startswith("us-east-1 "))
    assert " 0.810 " in row, row
    assert "first: F1 min 0.810 (us-east-1), max 0.930 (us-west-2), spread 0.120 over 5 regions" in message


async def test_a_canary_whose_training_fails_leaves_every_other_region_untouched(env, worker, world, emulator):
    emulator.configure({"faults": {"fail_training": [{"region": CANARY, "message": "InternalServerError: boom"}]}})
    summary, rows = await failed_build(env, worker, CanaryRegion=CANARY)

    assert list(summary.failed) == [CANARY] and "InternalServerError: boom" in summary.failed[CANARY]
    others = [region for region in REGIONS if region != CANARY]
    assert summary.not_attempted == {region: f"canary {CANARY} failed: InternalServerError: boom" for region in others}
    assert {row["region"]: row["status"] for row in rows} == {CANARY: "TRAINING_FAILED",
                                                              **dict.fromkeys(others, "NOT_ATTEMPTED")}
    assert untouched(others) == []
    assert "NOT ATTEMPTED us-east-1: canary eu-west-1 failed" in world.messages()[0]


async def test_a_canary_below_min_f1_leaves_every_other_region_untouched(env, worker, world, emulator):
    emulator.configure({"evaluation": {"per_region": {CANARY: {"f1": 0.62}}}})
    summary, rows = await failed_build(env, worker, CanaryRegion=CANARY, MinF1=0.8)

    assert summary.failed == {CANARY: "F1 0.62 < 0.80 (MinF1)"}
    canary_row = next(row for row in rows if row["region"] == CANARY)
    assert (canary_row["status"], canary_row["ok"], canary_row["error"]) == ("TRAINING_COMPLETED", False,
                                                                            "F1 0.62 < 0.80 (MinF1)")
    assert versions_in(CANARY) == {"first": "TRAINING_COMPLETED"}  # trained, kept, but not rolled out
    others = [region for region in REGIONS if region != CANARY]
    assert set(summary.not_attempted.values()) == {f"canary {CANARY} failed: F1 0.62 < 0.80 (MinF1)"}
    assert untouched(others) == []
    assert summary.evaluation == {"first": {CANARY: {"f1": 0.62, "precision": 0.62, "recall": 0.62,
                                                     "test_images": summary.evaluation["first"][CANARY]["test_images"]}}}


async def test_max_failed_regions_stops_launching_once_that_many_failed(env, worker, world, emulator):
    emulator.configure({"faults": {"fail_training": [{"region": "us-east-1"}, {"region": "us-east-2"}]}})
    summary, _ = await failed_build(env, worker, MaxFailedRegions=2, MaxConcurrentRegions=1, Strict=True)

    assert sorted(summary.failed) == ["us-east-1", "us-east-2"] and summary.succeeded == []
    rest = ["us-west-2", "eu-west-1", "ap-southeast-2"]
    assert summary.not_attempted == dict.fromkeys(rest, "2 regions failed (MaxFailedRegions 2)")
    assert untouched(rest) == []


async def test_a_tolerated_failure_lets_the_rollout_finish(env, worker, world, emulator):
    emulator.configure({"faults": {"fail_training": [{"region": "us-east-2"}]}})
    summary = await build(env, worker, MaxFailedRegions=2, MaxConcurrentRegions=2)

    assert list(summary.failed) == ["us-east-2"] and len(summary.succeeded) == 4 and not summary.not_attempted


def most_regions_at_once(history) -> int:
    """The most region children open at any point of an operation run's history (initiated, not yet closed)."""
    open_now = most = 0
    closed = {EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
              EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
              EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED}
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            open_now += 1
        elif event.event_type in closed:
            open_now -= 1
        most = max(most, open_now)
    return most


async def test_waves_never_train_more_regions_at_once_than_asked(env, worker, world, emulator):
    summary = await build(env, worker, MaxConcurrentRegions=2)
    assert sorted(summary.succeeded) == sorted(REGIONS)
    history = await env.client.get_workflow_handle(f"build/{PROJECT}/first/{worker}/run").fetch_history()
    assert most_regions_at_once(history) == 2
    times = sorted(trained_at(emulator).values())  # the emulator agrees: never three trainings at once
    assert all(sum(1 for start, end in times if start <= moment < end) <= 2 for moment, _ in times)

    everything = await run(env, worker, "BuildModelWorkflow", build_input("second"), f"build/{PROJECT}/second/{worker}")
    history = await env.client.get_workflow_handle(f"build/{PROJECT}/second/{worker}/run").fetch_history()
    assert most_regions_at_once(history) == len(REGIONS) and len(everything.succeeded) == len(REGIONS)


@pytest.mark.parametrize("extra,expected", [
    ({"CanaryRegion": "eu-wset-1"}, "CanaryRegion eu-wset-1 is not one of the run's regions (did you mean eu-west-1?)"),
    ({"MinF1": 0.8}, "MinF1 on a build is the canary's quality gate"),
    ({"MaxFailedRegions": 6}, "MaxFailedRegions must be at most the number of regions of the run (5), got 6"),
])
async def test_a_rollout_that_does_not_fit_the_run_is_refused_before_anything_is_created(env, worker, world, extra,
                                                                                         expected):
    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, worker, **extra)
    assert raised.value.cause.type == "InvalidInput" and expected in raised.value.cause.message
    assert untouched(REGIONS) == []


@pytest_asyncio.fixture
async def worker_with_a_default_canary(env, world):
    """A worker whose settings name a default canary (terraform's canary_region)."""
    from worker import build_worker

    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings = dataclasses.replace(world.settings, canary_region=CANARY)
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(env.client, settings, world.resources, executor, task_queue=queue):
            yield queue


async def test_the_settings_canary_applies_when_the_run_includes_it(env, worker_with_a_default_canary, emulator):
    queue = worker_with_a_default_canary
    emulator.configure({"faults": {"fail_training": [{"region": CANARY}]}})
    summary, _ = await failed_build(env, queue)
    assert list(summary.failed) == [CANARY] and len(summary.not_attempted) == len(REGIONS) - 1
    others = await run(env, queue, "BuildModelWorkflow", build_input("other", Regions=["us-east-1", "us-west-2"]),
                       f"build/{PROJECT}/other/{queue}")  # no canary among them: every region at once
    assert sorted(others.succeeded) == ["us-east-1", "us-west-2"] and not others.not_attempted


# ------------------------------------------------------------------ start --min-f1


async def started(env, queue, versions=("first",), **extra) -> OperationSummary:
    payload = {"ProjectName": PROJECT, "VersionNames": list(versions), "TtlHours": 0, **extra}
    return await run(env, queue, "StartModelWorkflow", payload, f"start/{PROJECT}/{','.join(versions)}/{queue}")


async def test_min_f1_starts_only_the_regions_whose_model_reaches_it(env, worker, world, emulator):
    emulator.configure({"evaluation": {"default": {"f1": 0.9}, "per_region": {"eu-west-1": {"f1": 0.62},
                                                                               "us-east-2": {"f1": 0.795}}}})
    await build(env, worker)
    summary = await started(env, worker, MinF1=0.8)

    assert summary.refused == {"eu-west-1": "F1 0.62 < 0.80", "us-east-2": "F1 0.795 < 0.800"}
    assert sorted(summary.succeeded) == ["ap-southeast-2", "us-east-1", "us-west-2"] and not summary.failed
    rows = rows_by_key(summary)
    assert rows[("eu-west-1", "first")].status == "REFUSED" and rows[("eu-west-1", "first")].ok is False
    for region in REGIONS:
        expected = "TRAINING_COMPLETED" if region in summary.refused else "RUNNING"
        assert versions_in(region) == {"first": expected}, region
    assert summary.evaluation["first"]["eu-west-1"]["f1"] == 0.62 and len(summary.evaluation["first"]) == 5
    message = world.messages()[-1]
    assert "REFUSED eu-west-1: F1 0.62 < 0.80" in message and "3/5 regions succeeded, 2 refused" in message


async def test_min_f1_refusing_every_region_fails_the_start_with_nothing_running(env, worker, world, emulator):
    emulator.configure({"evaluation": {"default": {"f1": 0.5}}})
    await build(env, worker, Regions=["us-east-1", "eu-west-1"])
    with pytest.raises(WorkflowFailureError) as raised:
        await started(env, worker, MinF1=0.8, Regions=["us-east-1", "eu-west-1"])
    cause = raised.value.cause
    assert cause.type == "OperationFailed" and "nothing done in 2 region(s)" in cause.message
    assert cause.details[0]["refused"] == dict.fromkeys(["us-east-1", "eu-west-1"], "F1 0.50 < 0.80")
    assert versions_in("us-east-1") == versions_in("eu-west-1") == {"first": "TRAINING_COMPLETED"}


async def test_the_seed_start_without_min_f1_reads_no_evaluation(env, worker, world, emulator):
    await build(env, worker, Regions=["us-east-1"])
    emulator.reset_calls()
    summary = await started(env, worker, Regions=["us-east-1"])
    assert summary.succeeded == ["us-east-1"] and summary.evaluation == {} and not summary.refused
    assert not any(key.endswith("s3:GET") for key in emulator.calls()), json.dumps(emulator.calls())
