"""adopt's activities against the local endpoint: a project made as the console makes it (datasets), or one trained
from a manifest; its data staged and its images copied into the management bucket, resumably, with the images
that cannot be read named; the source left exactly as it was."""

import dataclasses
import json

import boto3
import pytest
from botocore.config import Config
from console_project import ConsoleProject
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities import adopt_layout as layout
from activities.adopt_copy import SOURCE_ETAG, ImageCopyActivities
from activities.adopt_source import AdoptSourceActivities
from workflows.models import (
    DATASET,
    FROM_DATASETS,
    FROM_VERSION,
    MANIFEST,
    AdoptSourceInput,
    CopyImagesInput,
    NamedVersionInput,
    StageAdoptionInput,
)

SOURCE_REGION = "eu-west-1"
PROJECT = "Console"


@pytest.fixture
def console(world, emulator):
    emulator.configure({"timing": {"DATASET": 1}})
    mgmt = world.resources.management_bucket
    world.s3("us-east-1").put_bucket_versioning(Bucket=mgmt, VersioningConfiguration={"Status": "Enabled"})
    return ConsoleProject(SOURCE_REGION, PROJECT, "users-console-bucket").create()


def run(function, arg, details=None):
    env = ActivityEnvironment()
    if details is not None:
        env.info = dataclasses.replace(env.info, heartbeat_details=details)
    beats = []
    env.on_heartbeat = lambda *d: beats.append(d)
    return env.run(function, arg), beats


def staged(world, clients, source):
    activities = AdoptSourceActivities(clients)
    stage_input = StageAdoptionInput(SOURCE_REGION, PROJECT, source.version, source.train, source.test, "us-east-1",
                                     world.resources.management_bucket)
    return run(activities.stage, stage_input)[0]


def copy_input(world, staged_adoption, batch=0):
    return CopyImagesInput(SOURCE_REGION, "us-east-1", world.resources.management_bucket, PROJECT,
                           staged_adoption.images_key, staged_adoption.batches[batch])


def lines(world, key):
    body = world.s3("us-east-1").get_object(Bucket=world.resources.management_bucket, Key=key)["Body"].read()
    return [json.loads(line) for line in body.decode().splitlines()]


def versions_of(world, prefix):
    s3 = world.s3("us-east-1")
    found = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=world.resources.management_bucket,
                                                                  Prefix=prefix):
        for version in page.get("Versions", []):
            found.setdefault(version["Key"], []).append(version["VersionId"])
    return found


def test_a_console_project_is_read_from_its_datasets_with_the_newest_trained_version(world, clients, console):
    source, _ = run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, PROJECT))
    assert source.origin == FROM_DATASETS and source.version == "v1" and source.status == "TRAINING_COMPLETED"
    assert source.f1_score == console.describe_version()["EvaluationResult"]["F1Score"]
    assert source.train.kind == DATASET and "/dataset/train/" in source.train.dataset_arn
    assert source.test.kind == DATASET and "/dataset/test/" in source.test.dataset_arn


def test_staging_writes_both_manifests_pointing_at_the_copies_and_a_sorted_image_list(world, clients, console):
    source, _ = run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, PROJECT))
    result = staged(world, clients, source)

    assert (result.train_entries, result.test_entries, result.images) == (6, 4, 10)
    assert [(b.first, b.count, b.start_byte) for b in result.batches] == [(0, 10, 0)]
    mgmt = world.resources.management_bucket
    for purpose, entries in (("train", console.dataset_entries("TRAIN")), ("test", console.dataset_entries("TEST"))):
        written = lines(world, layout.manifest_key(PROJECT, "v1", purpose))
        originals = [json.loads(entry) for entry in entries]
        assert [w["source-ref"] for w in written] == [
            f"s3://{mgmt}/adopted/{PROJECT}/images/{console.bucket}/{o['source-ref'].split('/', 3)[3]}" for o in originals]
        # labels untouched; what ListDatasetEntries adds (cl-metadata, cl-errors) is no label attribute: dropped
        assert [{k: v for k, v in w.items() if k != "source-ref"} for w in written] == [
            {k: v for k, v in o.items() if k not in ("source-ref", "cl-metadata", "cl-errors")} for o in originals]
        assert all("cl-metadata" in o for o in originals)
    listed = lines(world, result.images_key)
    assert listed == sorted(f"s3://{console.bucket}/{key}" for key in console.train_keys + console.test_keys)


def test_images_are_copied_once_a_rerun_skips_them_and_the_source_is_unchanged(world, clients, console):
    before = console.fingerprint()
    source, _ = run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, PROJECT))
    adoption = staged(world, clients, source)
    copier = ImageCopyActivities(clients)

    first, beats = run(copier.copy_images, copy_input(world, adoption))
    assert (first.copied, first.skipped, first.unreadable) == (10, 0, []) and first.bytes_copied > 0
    assert beats and beats[-1][0]["position"] == 10
    again, _ = run(copier.copy_images, copy_input(world, adoption))
    assert (again.copied, again.skipped) == (0, 10)

    copies = versions_of(world, f"adopted/{PROJECT}/images/")
    assert len(copies) == 10 and all(len(ids) == 1 for ids in copies.values()), copies
    s3 = world.s3("us-east-1")
    key = layout.copied_image_key(PROJECT, console.bucket, console.train_keys[0])
    head = s3.head_object(Bucket=world.resources.management_bucket, Key=key)
    original = console.client("s3").head_object(Bucket=console.bucket, Key=console.train_keys[0])
    assert head["Metadata"][SOURCE_ETAG] == original["ETag"] and head["ContentType"] == "image/png"
    assert console.fingerprint() == before


def test_a_retry_resumes_after_the_images_its_heartbeat_settled(world, clients, console):
    source, _ = run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, PROJECT))
    adoption = staged(world, clients, source)
    settled = {"position": 4, "copied": 4, "skipped": 0, "bytes_copied": 400, "unreadable": None}

    result, _ = run(ImageCopyActivities(clients).copy_images, copy_input(world, adoption), details=[settled])

    assert (result.copied, result.bytes_copied > 400) == (10, True)  # 4 from the heartbeat + the 6 after them
    copied = versions_of(world, f"adopted/{PROJECT}/images/")
    images = lines(world, adoption.images_key)
    assert sorted(copied) == sorted(layout.copied_image_key(PROJECT, console.bucket, uri.split("/", 3)[3])
                                    for uri in images[4:])  # the settled ones were not even looked at again


def test_images_the_caller_cannot_read_are_reported_by_key(world, clients, console, emulator):
    source, _ = run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, PROJECT))
    adoption = staged(world, clients, source)
    denied, deleted = console.test_keys[1], console.train_keys[2]
    console.client("s3").delete_object(Bucket=console.bucket, Key=deleted)
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="adopter")
    iam.put_user_policy(UserName="adopter", PolicyName="all-but-one-image", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "rekognition:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{console.bucket}/{denied}"},
        ]}))
    key = iam.create_access_key(UserName="adopter")["AccessKey"]
    session = boto3.session.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    no_retry = Config(retries={"total_max_attempts": 1})
    emulator.configure({"iam": {"enforce": True}})

    result, _ = run(ImageCopyActivities(lambda service, region: session.client(service, region_name=region,
                                                                               config=no_retry)).copy_images,
                    copy_input(world, adoption))

    reasons = {image.source: image.reason for image in result.unreadable}
    assert reasons == {f"s3://{console.bucket}/{denied}": "access denied (403)",
                       f"s3://{console.bucket}/{deleted}": "not found (404)"}
    assert result.copied == 8


def test_a_version_trained_from_a_manifest_with_autocreate_is_read_from_the_split_it_used(world, clients, console):
    rek = boto3.client("rekognition", region_name=SOURCE_REGION)
    project_arn = rek.create_project(ProjectName="FromManifest")["ProjectArn"]
    manifest = f"s3://{console.bucket}/console/train.manifest"
    rek.create_project_version(
        ProjectArn=project_arn, VersionName="auto", OutputConfig={"S3Bucket": console.bucket, "S3KeyPrefix": "auto/"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": console.bucket,
                                                                        "Name": manifest.split("/", 3)[3]}}}]},
        TestingData={"AutoCreate": True})
    ConsoleProject._settle(lambda: rek.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"][0]["Status"], "TRAINING_IN_PROGRESS", 60)

    source, _ = run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, "FromManifest"))

    assert source.origin == FROM_VERSION and source.version == "auto"
    assert (source.train.kind, source.train.key) == (MANIFEST, "auto/manifests/output/train.manifest")
    assert (source.test.kind, source.test.key) == (MANIFEST, "auto/manifests/output/test.manifest")


@pytest.mark.parametrize("version,problem", [
    (None, "project Nowhere not found in eu-west-1"),
    ("v9", "version v9 of project Console in eu-west-1 not found (versions: v1)"),
])
def test_a_missing_source_is_one_permanent_line(world, clients, console, version, problem):
    project = "Nowhere" if version is None else PROJECT
    with pytest.raises(ApplicationError) as raised:
        run(AdoptSourceActivities(clients).describe_source, AdoptSourceInput(SOURCE_REGION, project, version))
    assert raised.value.non_retryable and raised.value.message == problem


def test_evaluations_read_the_f1_or_say_the_version_is_not_there(world, clients, console):
    activities = AdoptSourceActivities(clients)
    found, _ = run(activities.describe_evaluation, NamedVersionInput(SOURCE_REGION, PROJECT, "v1"))
    assert found.exists and found.status == "TRAINING_COMPLETED"
    assert found.f1_score == console.describe_version()["EvaluationResult"]["F1Score"]
    assert not run(activities.describe_evaluation, NamedVersionInput("us-east-1", PROJECT, "v1"))[0].exists
    assert not run(activities.describe_evaluation, NamedVersionInput(SOURCE_REGION, PROJECT, "v2"))[0].exists


def test_copied_keys_are_deterministic_and_fit_in_an_s3_key():
    assert layout.copied_image_key("P", "b", "a/x.png") == "adopted/P/images/b/a/x.png"
    long_key = "d/" * 500 + "photo.jpeg"
    hashed = layout.copied_image_key("P" * 255, "bucket", long_key)
    assert len(hashed.encode()) <= 1024 and hashed.endswith("photo.jpeg") and "/~" in hashed
    assert hashed == layout.copied_image_key("P" * 255, "bucket", long_key)
    assert hashed != layout.copied_image_key("P" * 255, "bucket", "e/" + long_key)
