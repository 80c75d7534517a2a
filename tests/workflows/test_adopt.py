"""AdoptProjectWorkflow end to end: a project made as the console makes it (boto3 only: CreateProject, CreateDataset
TRAIN and TEST, CreateProjectVersion from the datasets) in one region of the local endpoint, adopted into every
configured region by the real workflows and activities on the time-skipping server, with real S3 replication from
the management bucket (local_stack.bootstrap, as `terraform apply` makes it)."""

import dataclasses
import json
from datetime import timedelta

import boto3
import pytest
from console_project import ConsoleProject
from temporalio.client import WorkflowFailureError

from configuration.names import output_prefix
from local_stack.bootstrap import bootstrap
from workflows import activity_api
from workflows.adopt import adopt_workflow_id
from workflows.models import AdoptSummary
from workflows.version import regional_test_manifest_key

PROJECT = "Console"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")  # the `world` fixture's (tests/workflows/conftest.py)


@pytest.fixture(autouse=True)
def fast_copy_retries(monkeypatch):
    """As conftest.fast_retries does for the other calls: the test server waits retry backoff in real time."""
    policy = dataclasses.replace(activity_api.COPY_CALL["retry_policy"], initial_interval=timedelta(milliseconds=20),
                                 maximum_interval=timedelta(milliseconds=100))
    monkeypatch.setitem(activity_api.COPY_CALL, "retry_policy", policy)


@pytest.fixture
def replicated(world):
    """The management bucket versioned and replicating to every training bucket, as Terraform makes it."""
    bootstrap(world.settings, world.resources)
    return world


async def adopt(env, queue, source_region: str, **extra) -> AdoptSummary:
    return await env.client.execute_workflow(
        "AdoptProjectWorkflow", {"ProjectName": PROJECT, "SourceRegion": source_region, **extra},
        id=adopt_workflow_id(PROJECT, source_region), task_queue=queue, result_type=AdoptSummary)


def version_in(region: str, version: str = "v1") -> dict | None:
    rek = boto3.client("rekognition", region_name=region)
    projects = rek.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"]
    if not projects:
        return None
    found = rek.describe_project_versions(ProjectArn=projects[0]["ProjectArn"],
                                          VersionNames=[version])["ProjectVersionDescriptions"]
    return found[0] if found else None


def image_names(bucket: str, key: str, region: str) -> set[str]:
    body = boto3.client("s3", region_name=region).get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return {json.loads(line)["source-ref"].rsplit("/", 1)[1] for line in body.splitlines() if line}


def copies(world) -> dict[str, int]:
    """Versions per key of every copied image: the management bucket is versioned, a second copy would show."""
    s3 = world.s3("us-east-1")
    found: dict[str, int] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=world.resources.management_bucket,
                                                                  Prefix=f"adopted/{PROJECT}/images/"):
        for version in page.get("Versions", []):
            found[version["Key"]] = found.get(version["Key"], 0) + 1
    return found


async def test_a_console_project_is_trained_everywhere_on_its_own_split_and_compared(env, worker, replicated):
    world = replicated
    console = ConsoleProject("us-west-2", PROJECT, "users-console-bucket").create()
    source_f1 = console.describe_version()["EvaluationResult"]["F1Score"]
    before = console.fingerprint()

    summary = await adopt(env, worker, "us-west-2")

    assert (summary.version, summary.origin, summary.already_global) == ("v1", "datasets", False)
    assert summary.source_f1_score == source_f1
    assert (summary.train_entries, summary.test_entries, summary.images, summary.copied) == (6, 4, 10, 10)
    assert sorted(summary.succeeded) == sorted(REGIONS) and summary.failed == {}
    assert summary.build.succeeded and sorted(summary.build.succeeded) == sorted(REGIONS)
    rows = {row.region: row for row in summary.regions}
    assert sorted(rows) == sorted(REGIONS)  # the source region is not configured: no SOURCE row
    for region in REGIONS:
        trained = version_in(region)
        assert trained["Status"] == "TRAINING_COMPLETED"
        bucket = world.resources.training_buckets[region]
        test_key = regional_test_manifest_key(PROJECT, "v1")
        # trained on the source's test set, not on an AutoCreate split
        assert trained["TestingDataResult"]["Input"] == {
            "Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": test_key}}}]}
        assert image_names(bucket, test_key, region) == console.image_set("TEST")
        f1 = trained["EvaluationResult"]["F1Score"]
        assert (rows[region].status, rows[region].f1_score, rows[region].source_f1_score) == (
            "TRAINING_COMPLETED", f1, source_f1)
        assert rows[region].difference == round(f1 - source_f1, 4)
        assert trained["OutputConfig"]["S3KeyPrefix"] == output_prefix(PROJECT, "v1")
    assert sorted(copies(world).values()) == [1] * 10
    assert console.fingerprint() == before

    again = await adopt(env, worker, "us-west-2")
    assert again.already_global and again.copied == 0 and again.build is None
    assert {row.region: row.f1_score for row in again.regions} == {r: rows[r].f1_score for r in REGIONS}
    assert sorted(copies(world).values()) == [1] * 10
    assert console.fingerprint() == before


async def test_a_configured_source_region_is_reported_as_the_source_and_left_alone(env, worker, replicated):
    console = ConsoleProject("eu-west-1", PROJECT, "users-console-bucket").create()
    source_f1 = console.describe_version()["EvaluationResult"]["F1Score"]
    before = console.fingerprint()

    summary = await adopt(env, worker, "eu-west-1")

    rows = {row.region: row for row in summary.regions}
    assert (rows["eu-west-1"].status, rows["eu-west-1"].f1_score, rows["eu-west-1"].difference) == ("SOURCE", source_f1,
                                                                                                    0.0)
    assert sorted(summary.build.succeeded) == ["ap-southeast-2", "us-east-1"]
    assert sorted(summary.succeeded) == sorted(REGIONS)
    assert console.fingerprint() == before  # no version added to the source project, nothing written to its bucket
    again = await adopt(env, worker, "eu-west-1")
    assert again.already_global


async def test_an_image_that_cannot_be_read_fails_the_adoption_by_key_before_any_training(env, worker, replicated):
    console = ConsoleProject("us-west-2", PROJECT, "users-console-bucket").create()
    gone = console.test_keys[2]
    console.client("s3").delete_object(Bucket=console.bucket, Key=gone)

    with pytest.raises(WorkflowFailureError) as raised:
        await adopt(env, worker, "us-west-2")

    cause = raised.value.cause
    assert cause.type == "ImagesNotCopied"
    assert f"s3://{console.bucket}/{gone} (not found (404))" in cause.message
    assert cause.message.startswith(f"adopt {PROJECT}: 1 of 10 image(s) of the source cannot be copied")
    summary = cause.details[0]
    assert summary["unreadable"] == [{"source": f"s3://{console.bucket}/{gone}", "reason": "not found (404)"}]
    assert summary["copied"] == 9 and summary["build"] is None
    assert all(version_in(region) is None for region in REGIONS)


async def test_a_bad_adopt_input_fails_at_once_with_one_line(env, worker, replicated):
    with pytest.raises(WorkflowFailureError) as raised:
        await env.client.execute_workflow("AdoptProjectWorkflow", {"ProjectName": PROJECT, "SourceRegion": "mars"},
                                          id="adopt/bad-input", task_queue=worker)
    assert raised.value.cause.type == "InvalidInput"
    assert raised.value.cause.message == "SourceRegion: 'mars' is not an AWS region name"
    with pytest.raises(WorkflowFailureError) as raised:
        await adopt(env, worker, "us-west-2")
    assert raised.value.cause.message == f"adopt {PROJECT} from us-west-2: project {PROJECT} not found in us-west-2"
