"""The preflight_dataset and read_evaluation activities against the local endpoint (boto3 over HTTP)."""

import json

import pytest
from aws_world import MANAGEMENT_REGION, MANIFEST_KEY, manifest_line, png
from temporalio.testing import ActivityEnvironment

from activities.clients import Boto3Clients
from activities.evaluation import EvaluationActivities
from activities.preflight import PreflightActivities
from workflows.models import EvaluationInput, PreflightInput

REGION = "eu-west-1"


class CountingClients:
    """The real client factory, recording every S3 GetObject: the preflight must read images by range only."""

    def __init__(self):
        self.inner = Boto3Clients()
        self.gets: list[dict] = []

    def __call__(self, service, region):
        found = self.inner(service, region)
        if service != "s3":
            return found
        counting = self

        class S3:
            def __getattr__(self, name):
                return getattr(found, name)

            def get_object(self, **kwargs):
                response = found.get_object(**kwargs)
                counting.gets.append({**kwargs, "ContentLength": response["ContentLength"]})
                return response

        return S3()


def preflight(clients, world, key=MANIFEST_KEY, env=None):
    inp = PreflightInput(MANAGEMENT_REGION, world.resources.management_bucket, key, list(world.regions))
    return (env or ActivityEnvironment()).run(PreflightActivities(clients, workers=4).preflight_dataset, inp)


def test_images_are_read_by_range_never_whole(world):
    bucket = world.resources.management_bucket
    big = png(width=64, height=80) + b"\0" * (5 * 1024 * 1024)  # a 5 MB PNG: header first, then data
    keys = {f"big/images/{label}-{i}.png": label for label in ("car", "cone") for i in range(2)}
    s3 = world.s3(MANAGEMENT_REGION)
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=big)
    s3.put_object(Bucket=bucket, Key="big/output.manifest",
                  Body="".join(manifest_line("elsewhere", key, label) + "\n" for key, label in keys.items()).encode())
    clients = CountingClients()

    report = preflight(clients, world, "big/output.manifest")

    assert not report.rejected and report.valid_lines == 4, report
    images = [get for get in clients.gets if get["Key"].endswith(".png")]
    assert len(images) == 4 and all(get["Range"] == "bytes=0-65535" for get in images)
    assert sum(get["ContentLength"] for get in images) == 4 * 65536  # 256 KiB of 20 MiB
    manifest = [get for get in clients.gets if get["Key"] == "big/output.manifest"]
    assert len(manifest) == 1 and "Range" not in manifest[0]  # the manifest itself is streamed
    # the build trains from the management bucket's copy: the source-refs' bucket ("elsewhere") is not read
    assert {get["Bucket"] for get in clients.gets} == {bucket}
    assert any("ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS" in w for w in report.warnings) is False


def test_a_long_manifest_heartbeats_its_progress(world):
    world.upload()
    bucket = world.resources.management_bucket
    lines = [manifest_line(bucket, f"assets/deepracer/images/{name}", label)
             for name, label in (("car-00.png", "car"), ("cone-01.png", "cone"), ("car-02.png", "car"),
                                 ("cone-03.png", "cone"))] * 1_000
    world.s3(MANAGEMENT_REGION).put_object(Bucket=bucket, Key="long.manifest", Body=("\n".join(lines) + "\n").encode())
    env = ActivityEnvironment()
    beats = []
    env.on_heartbeat = lambda *details: beats.append(details[0])
    clients = CountingClients()
    report = preflight(clients, world, "long.manifest", env)
    assert not report.rejected and report.lines == 4_000
    assert beats == [1_000, 2_000, 3_000, 4_000]
    assert len([get for get in clients.gets if get["Key"].endswith(".png")]) == 4  # each image looked at once


def test_a_missing_manifest_is_a_finding_not_an_error(world):
    report = preflight(Boto3Clients(), world, "nowhere/output.manifest")
    assert report.rejected and report.findings == [
        (f"manifest: MANIFEST_FILE: s3://{world.resources.management_bucket}/nowhere/output.manifest not found: "
        "upload the dataset first (sync DIR) or pass --manifest")]


def test_an_outage_is_raised_for_temporal_to_retry(world, emulator):
    world.upload()
    emulator.configure({"faults": {"down_regions": [MANAGEMENT_REGION]}})
    with pytest.raises(Exception) as raised:
        preflight(Boto3Clients(), world)
    assert getattr(raised.value, "non_retryable", True) is False


def _trained(emulator, world, region=REGION):
    """A version of the world's dataset trained in `region` (straight boto3), its ARN."""
    import boto3

    rek = boto3.client("rekognition", region_name=region)
    project = rek.create_project(ProjectName="Evaluated")["ProjectArn"]
    arn = rek.create_project_version(
        ProjectArn=project, VersionName="v1",
        OutputConfig={"S3Bucket": world.resources.output_buckets[region], "S3KeyPrefix": "Evaluated/v1/"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {
            "Bucket": world.resources.training_buckets[region], "Name": "regional.manifest"}}}]},
        TestingData={"AutoCreate": True})["ProjectVersionArn"]
    return rek, project, arn


def _regional_manifest(world, region=REGION):
    bucket = world.resources.training_buckets[region]
    body = world.s3(region).get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read().decode()
    body = body.replace(f"s3://{world.resources.management_bucket}/", f"s3://{bucket}/")
    world.s3(region).put_object(Bucket=bucket, Key="regional.manifest", Body=body.encode())


def test_read_evaluation_gives_the_figures_training_wrote(world, emulator):
    world.upload(images=6)
    _regional_manifest(world)
    emulator.configure({"evaluation": {"per_region": {REGION: {"f1": 0.62, "precision": 0.7}}}})
    rek, project, arn = _trained(emulator, world)
    read = EvaluationActivities(Boto3Clients()).read_evaluation

    during = ActivityEnvironment().run(read, EvaluationInput(REGION, arn))
    assert (during.f1, during.precision, during.recall, during.test_images) == (None, None, None, None)

    emulator.advance(region=REGION)
    found = ActivityEnvironment().run(read, EvaluationInput(REGION, arn))
    described = rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]
    where = described["EvaluationResult"]["Summary"]["S3Object"]
    summary = json.loads(world.s3(REGION).get_object(Bucket=where["Bucket"], Key=where["Name"])["Body"].read())
    assert (found.f1, found.precision) == (0.62, 0.7)
    assert found.recall == summary["AggregatedEvaluationResults"]["Metrics"]["Recall"]
    assert found.test_images == summary["EvaluationDetails"]["NumberOfTestingImages"] == 2  # 20% of 3 per label
    assert found.summary_uri == f"s3://{where['Bucket']}/{where['Name']}"


def test_read_evaluation_of_a_version_that_does_not_exist_is_permanent(world):
    missing = f"arn:aws:rekognition:{REGION}:123456789012:project/Nope/version/v1/1"
    with pytest.raises(Exception) as raised:
        ActivityEnvironment().run(EvaluationActivities(Boto3Clients()).read_evaluation, EvaluationInput(REGION, missing))
    assert raised.value.type == "ResourceNotFoundException" and raised.value.non_retryable
