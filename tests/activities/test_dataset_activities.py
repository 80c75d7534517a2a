"""Replication check and regional manifest against S3 on the local endpoint."""

import json

import pytest
from aws_world import MANIFEST_KEY
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.dataset import DatasetActivities
from workflows.models import ManifestRewriteInput, ReplicationCheckInput


def check_input(world, region="eu-west-1", resume=0):
    return ReplicationCheckInput(region, world.resources.management_bucket, MANIFEST_KEY,
                                 world.resources.training_buckets[region], "us-east-1", resume)


def test_replication_is_complete_when_every_referenced_object_is_in_the_regional_bucket(world, clients):
    world.upload(images=5)
    result = ActivityEnvironment().run(DatasetActivities(clients).check_replication, check_input(world))
    assert result.complete and result.lines_verified == 5 and result.total_lines == 5


def test_replication_check_stops_at_the_first_missing_object_and_resumes_there(world, clients):
    objects = world.upload(images=5, regions=("us-east-1",))
    world.replicate("eu-west-1", [objects[-1], *objects[:2]])  # the manifest and the first two images
    activities = DatasetActivities(clients)

    waiting = ActivityEnvironment().run(activities.check_replication, check_input(world))
    assert not waiting.complete and waiting.lines_verified == 2 and waiting.first_missing == objects[2][0]

    world.replicate("eu-west-1", objects[2:5])
    env = ActivityEnvironment()
    heartbeats = []
    env.on_heartbeat = lambda *details: heartbeats.append(details)
    done = env.run(activities.check_replication, check_input(world, resume=waiting.lines_verified))
    assert done.complete and done.lines_verified == 5


def test_a_manifest_replica_older_than_the_original_is_not_complete(world, clients):
    world.upload(images=2)
    world.s3("us-east-1").put_object(Bucket=world.resources.management_bucket, Key=MANIFEST_KEY, Body=b"{}\n")
    result = ActivityEnvironment().run(DatasetActivities(clients).check_replication, check_input(world))
    assert not result.complete and result.first_missing == MANIFEST_KEY


def test_a_missing_manifest_is_a_permanent_error(world, clients):
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(DatasetActivities(clients).check_replication, check_input(world))
    assert raised.value.non_retryable and raised.value.type == "ManifestNotFound"
    assert f"s3://{world.resources.management_bucket}/{MANIFEST_KEY} not found" in raised.value.message


def test_regional_manifest_is_rewritten_with_only_the_bucket_changed(world, clients):
    objects = world.upload(images=6)
    original = objects[-1][1].decode().splitlines()
    bucket = world.resources.training_buckets["eu-west-1"]
    result = ActivityEnvironment().run(
        DatasetActivities(clients).write_regional_manifest,
        ManifestRewriteInput("eu-west-1", bucket, MANIFEST_KEY, bucket, "regional/output.manifest"),
    )
    assert (result.lines, result.rewritten) == (6, 6)
    written = world.s3("eu-west-1").get_object(Bucket=bucket, Key="regional/output.manifest")["Body"].read()
    assert written.decode().splitlines() == [
        line.replace(f"s3://{world.resources.management_bucket}/", f"s3://{bucket}/") for line in original
    ]


def test_a_large_manifest_is_streamed_in_multipart_parts_with_heartbeats(world, clients):
    bucket = world.resources.training_buckets["eu-west-1"]
    line = json.dumps({"source-ref": "s3://mgmt/assets/images/x.png", "vehicle": 0,
                       "vehicle-metadata": {"class-name": "car", "pad": "p" * 150}})
    count = 40_000  # over 10 MB: several parts of at least 5 MiB
    world.s3("eu-west-1").put_object(Bucket=bucket, Key="big.manifest", Body=("\n".join([line] * count) + "\n").encode())
    env = ActivityEnvironment()
    heartbeats = []
    env.on_heartbeat = lambda *details: heartbeats.append(details[0])
    result = env.run(DatasetActivities(clients, part_size=5 * 1024 * 1024).write_regional_manifest,
                     ManifestRewriteInput("eu-west-1", bucket, "big.manifest", bucket, "big-regional.manifest"))
    assert (result.lines, result.rewritten) == (count, count)
    head = world.s3("eu-west-1").head_object(Bucket=bucket, Key="big-regional.manifest")
    assert head["ContentLength"] == result.bytes_written
    assert int(head["ETag"].strip('"').split("-")[1]) >= 2  # a multipart upload (ETag "<md5>-<parts>")
    assert heartbeats and heartbeats[-1] == count
    body = world.s3("eu-west-1").get_object(Bucket=bucket, Key="big-regional.manifest", Range="bytes=0-300")["Body"].read()
    assert body.startswith(f'{{"source-ref": "s3://{bucket}/assets/images/x.png"'.encode())
