"""Rekognition activities against the Custom Labels emulator: idempotence, races and error classification."""

import dataclasses

import pytest
from aws_world import MANIFEST_KEY
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory
from temporalio.testing import ActivityEnvironment

from activities.dataset import DatasetActivities
from activities.rekognition import RekognitionActivities, version_name_from_arn
from configuration.names import output_prefix, regional_manifest_key
from workflows.models import (
    CreateVersionInput,
    DescribeVersionInput,
    EnsureProjectInput,
    ManifestRewriteInput,
    ProjectInput,
    ResolveVersionsInput,
    StartVersionInput,
    VersionArnInput,
)

REGION = "eu-west-1"
PROJECT = "AWSDeepRacer"


def run(fn, arg):
    return ActivityEnvironment().run(fn, arg)


@pytest.fixture
def rek(clients):
    return RekognitionActivities(clients)


def create(rek, world, version="first"):
    """Project + version trained on the regional manifest (source-refs in the regional bucket, as a build does)."""
    bucket = world.resources.training_buckets[REGION]
    key = regional_manifest_key(PROJECT, version)
    run(DatasetActivities(rek.clients).write_regional_manifest, ManifestRewriteInput(REGION, bucket, MANIFEST_KEY, bucket, key))
    project = run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    return project, run(rek.create_version, CreateVersionInput(
        REGION, project.project_arn, version, bucket, key, world.resources.output_buckets[REGION],
        output_prefix(PROJECT, version)))


def test_training_on_the_unrewritten_manifest_fails_like_rekognition_would(rek, world):
    """Why builds rewrite the manifest: the original's images live in another region's bucket."""
    world.upload()
    project = run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    bucket = world.resources.training_buckets[REGION]
    run(rek.create_version, CreateVersionInput(REGION, project.project_arn, "raw", bucket, MANIFEST_KEY,
                                               world.resources.output_buckets[REGION], "raw/"))
    failed = settle(rek, project.project_arn, "raw")
    assert failed.status == "TRAINING_FAILED" and "us-east-1" in failed.message


def settle(rek, project_arn, version="first", rounds=5):
    """Describe a few times (the emulator in calls mode completes transitions on describes)."""
    for _ in range(rounds):
        found = run(rek.describe_version, DescribeVersionInput(REGION, project_arn, version))
    return found


def test_ensure_project_creates_once(rek, world):
    first = run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    second = run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    assert first.created and not second.created and first.project_arn == second.project_arn


def test_create_version_reports_an_existing_version_instead_of_duplicating(rek, world, emulator):
    world.upload()
    project, created = create(rek, world)
    assert not created.existed and created.status == "TRAINING_IN_PROGRESS"
    assert version_name_from_arn(created.arn) == "first"
    _, again = create(rek, world)  # a second create: Rekognition refuses the name, the existing one is reported
    assert again.existed and again.arn == created.arn
    assert emulator.calls()[f"{REGION}/CreateProjectVersion"] == 2
    retry = ActivityEnvironment()
    retry.info = dataclasses.replace(retry.info, attempt=2)  # a retried attempt looks before it creates
    bucket = world.resources.training_buckets[REGION]
    third = retry.run(rek.create_version, CreateVersionInput(
        REGION, project.project_arn, "first", bucket,
        regional_manifest_key(PROJECT, "first"), world.resources.output_buckets[REGION], output_prefix(PROJECT, "first")))
    assert third.existed and emulator.calls()[f"{REGION}/CreateProjectVersion"] == 2


def test_create_version_calls_create_only_once_nothing_is_described_twice(rek, world, emulator):
    """Issue 16.2: the workflow has just found no such version; creating it is one call (a retry that meets the
    version made by a lost first attempt gets ResourceInUseException and reports it)."""
    world.upload()
    emulator.reset_calls()
    _, created = create(rek, world)
    calls = {k.split("/", 1)[1]: v for k, v in emulator.calls().items() if k.startswith(f"{REGION}/")
             and "Version" in k}
    assert calls == {"CreateProjectVersion": 1} and created.status == "TRAINING_IN_PROGRESS" and not created.existed


def test_resolve_lists_found_and_missing_versions(rek, world):
    world.upload()
    project, _ = create(rek, world)
    resolved = run(rek.resolve_versions, ResolveVersionsInput(REGION, PROJECT, ["first", "nope"]))
    assert resolved.project_arn == project.project_arn
    assert [v.version for v in resolved.versions] == ["first"] and resolved.missing == ["nope"]
    everything = run(rek.resolve_versions, ResolveVersionsInput(REGION, PROJECT, []))
    assert [v.version for v in everything.versions] == ["first"] and everything.missing == []
    absent = run(rek.resolve_versions, ResolveVersionsInput("us-east-1", PROJECT, ["first"]))
    assert absent.project_arn is None and absent.missing == ["first"]


def test_start_stop_delete_are_idempotent_against_transitions_already_under_way(rek, world):
    world.upload()
    project, created = create(rek, world)
    assert settle(rek, project.project_arn).status == "TRAINING_COMPLETED"
    start = StartVersionInput(REGION, created.arn, 1, 2)
    assert run(rek.start_version, start) == "STARTING"
    assert run(rek.start_version, start) == "STARTING"  # refused by Rekognition (in use): reported, not failed
    assert settle(rek, project.project_arn).status == "RUNNING"
    assert run(rek.stop_version, VersionArnInput(REGION, created.arn)) == "STOPPING"
    assert run(rek.stop_version, VersionArnInput(REGION, created.arn)) == "STOPPING"
    assert settle(rek, project.project_arn).status == "STOPPED"
    assert run(rek.delete_version, VersionArnInput(REGION, created.arn)) == "DELETING"
    assert not settle(rek, project.project_arn).exists
    assert run(rek.delete_version, VersionArnInput(REGION, created.arn)) == "DELETED"
    assert run(rek.delete_project, ProjectInput(REGION, project.project_arn)).status == "DELETING"
    for _ in range(5):
        status = run(rek.describe_project, ProjectInput(REGION, project.project_arn))
    assert not status.exists


def test_deleting_a_running_version_is_a_permanent_error_with_a_clear_message(rek, world):
    world.upload()
    project, created = create(rek, world)
    settle(rek, project.project_arn)
    run(rek.start_version, StartVersionInput(REGION, created.arn, 1))
    with pytest.raises(ApplicationError) as raised:
        run(rek.delete_version, VersionArnInput(REGION, created.arn))
    assert raised.value.non_retryable and raised.value.type == "ResourceInUseException"
    assert raised.value.message.startswith(f"{REGION} DeleteProjectVersion: ResourceInUseException: ")


def test_invalid_parameters_fail_fast(rek, world):
    with pytest.raises(ApplicationError) as raised:
        run(rek.ensure_project, EnsureProjectInput(REGION, "bad name!"))
    assert raised.value.non_retryable and raised.value.type in ("InvalidParameterException", "ValidationException")


def test_throttling_is_retryable_and_quiet(rek, world, emulator):
    emulator.configure({"faults": {"throttle_rate": 1.0}})
    with pytest.raises(ApplicationError) as raised:
        run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    assert not raised.value.non_retryable and raised.value.type == "ThrottlingException"
    assert raised.value.category == ApplicationErrorCategory.BENIGN


def test_a_region_that_is_down_is_retryable(rek, world, emulator):
    emulator.configure({"faults": {"down_regions": [REGION]}})
    with pytest.raises(ApplicationError) as raised:
        run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    assert not raised.value.non_retryable and raised.value.type == "ServiceUnavailable"
    assert REGION in raised.value.message


def test_connection_errors_are_retryable(monkeypatch):
    from activities.clients import Boto3Clients

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    rek = RekognitionActivities(Boto3Clients(connect_timeout=1))
    with pytest.raises(ApplicationError) as raised:
        run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    assert not raised.value.non_retryable and raised.value.type == "EndpointConnectionError"


def test_deleting_a_project_with_datasets_waits_for_them_before_deleting_the_project(rek, world):
    """AWS refuses DeleteProject while a dataset exists, and DeleteDataset is asynchronous (DELETE_IN_PROGRESS):
    the activity deletes the datasets, then asks to be retried (not a permanent failure) until they are gone."""
    import boto3

    world.upload()
    bucket = world.resources.training_buckets[REGION]
    project = run(rek.ensure_project, EnsureProjectInput(REGION, PROJECT))
    client = boto3.client("rekognition", region_name=REGION)
    for kind in ("TRAIN", "TEST"):
        client.create_dataset(ProjectArn=project.project_arn, DatasetType=kind, DatasetSource={
            "GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": MANIFEST_KEY}}})
    for _ in range(20):
        datasets = client.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"][0]["Datasets"]
        if all(d["Status"] == "CREATE_COMPLETE" for d in datasets):
            break
    attempts = []
    for _ in range(10):  # what Temporal's retry policy does, without the waiting
        try:
            attempts.append(run(rek.delete_project, ProjectInput(REGION, project.project_arn)).status)
            break
        except ApplicationError as error:
            assert not error.non_retryable, error.message
            attempts.append(error.type)
    assert attempts[-1] == "DELETING", attempts
    for _ in range(5):
        status = run(rek.describe_project, ProjectInput(REGION, project.project_arn))
    assert not status.exists
