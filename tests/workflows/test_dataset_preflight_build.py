"""Issue 17 item 1: the build checks the dataset before any region creates anything.

Real BuildModelWorkflow and real activities (boto3 over HTTP against the local endpoint) on the time-skipping
server. A rejected dataset fails the build with DatasetRejected, whose message is the findings, and afterwards no
project and no version exists in any region (checked with boto3 in every region).
"""

import json

import boto3
import pytest
from aws_world import LABELS, MANAGEMENT_REGION, manifest_line, png
from temporalio.client import WorkflowFailureError
from temporalio.worker import Replayer

from worker import workflow_runner
from workflows.models import OperationSummary
from workflows.registry import WORKFLOWS

PROJECT = "Preflighted"


def put_dataset(world, key: str, lines: list[str], images: dict[str, bytes]) -> None:
    s3 = world.s3(MANAGEMENT_REGION)
    for image_key, body in images.items():
        s3.put_object(Bucket=world.resources.management_bucket, Key=image_key, Body=body)
    s3.put_object(Bucket=world.resources.management_bucket, Key=key, Body=("\n".join(lines) + "\n").encode())


async def build(env, queue, key: str, version: str = "v1") -> OperationSummary:
    payload = {"ProjectName": PROJECT, "ManifestKey": key, "VersionName": version}
    return await env.client.execute_workflow("BuildModelWorkflow", payload, id=f"build/{PROJECT}/{version}/{queue}",
                                             task_queue=queue, result_type=OperationSummary)


def nothing_anywhere(world, emulator) -> None:
    """No project, no version, not even an attempt, in any region."""
    for region in world.regions:
        rek = boto3.client("rekognition", region_name=region)
        assert rek.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"] == [], region
    attempted = {k: v for k, v in emulator.calls().items()
                 if k.endswith(("/CreateProject", "/CreateProjectVersion"))}
    assert attempted == {}


async def test_a_dataset_with_one_label_fails_the_build_before_any_region_starts(env, worker, world, emulator):
    bucket = world.resources.management_bucket
    images = {f"bad/images/{i}.png": png(shade=i * 30) for i in range(4)}
    put_dataset(world, "bad/output.manifest", [manifest_line(bucket, key, "car") for key in images], images)

    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, worker, "bad/output.manifest")

    cause = raised.value.cause
    assert cause.type == "DatasetRejected" and cause.non_retryable
    lines = cause.message.splitlines()
    assert lines[0] == f"dataset s3://{bucket}/bad/output.manifest rejected, nothing created: 1 problem(s)"
    assert lines[1].startswith("manifest: ERROR_MANIFEST_TOO_FEW_LABELS: 1 label(s) (car): classification needs")
    report = cause.details[0]
    assert report["rejected"] and report["lines"] == 4 and report["valid_lines"] == 4
    nothing_anywhere(world, emulator)
    assert world.messages() == []  # nothing ran, so nothing to notify


async def test_many_findings_show_ten_lines_then_how_many_more(env, worker, world, emulator):
    bucket = world.resources.management_bucket
    lines = [manifest_line(bucket, f"ghost/images/{i}.png", LABELS[i % 2]) for i in range(30)]
    put_dataset(world, "ghost/output.manifest", lines, {})

    with pytest.raises(WorkflowFailureError) as raised:
        await build(env, worker, "ghost/output.manifest")

    message = raised.value.cause.message.splitlines()
    assert len(message) == 12 and message[-1] == "and 21 more", message  # headline, 10 findings, the rest counted
    assert message[1].startswith("manifest: ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: 30 of 30 JSON lines invalid")
    assert message[2] == (f"line 1: ERROR_INVALID_IMAGE: s3://{bucket}/ghost/images/0.png does not exist: "
                          "upload it or remove the line")
    assert all(len(text) <= 240 for text in message)
    nothing_anywhere(world, emulator)


async def test_a_trainable_dataset_trains_and_carries_the_preflight_warnings(env, worker, world):
    summary = await build(env, worker, "assets/deepracer/output.manifest")  # the world's 4-image dataset
    assert sorted(summary.succeeded) == sorted(world.regions)
    assert any("FEW_IMAGES_PER_LABEL" in warning for warning in summary.dataset_warnings), summary.dataset_warnings
    assert json.loads(world.messages()[0].splitlines()[-1])["dataset_warnings"] == summary.dataset_warnings


async def test_a_build_with_the_preflight_and_one_rejected_replay(env, worker, world):
    """Histories recorded with the preflight replay (those from before it: tests/workflows/test_replay.py)."""
    await build(env, worker, "assets/deepracer/output.manifest", "replayed")
    put_dataset(world, "empty/output.manifest", [""], {})
    with pytest.raises(WorkflowFailureError):
        await build(env, worker, "empty/output.manifest", "rejected")
    replayer = Replayer(workflows=WORKFLOWS, workflow_runner=workflow_runner())
    for version in ("replayed", "rejected"):
        history = await env.client.get_workflow_handle(f"build/{PROJECT}/{version}/{worker}").fetch_history()
        assert any(e.HasField("marker_recorded_event_attributes") for e in history.events)  # the patch marker
        await replayer.replay_workflow(history)
