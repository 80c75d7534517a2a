"""`status` says how many inference units are running and where (what Custom Labels bills by the hour), in the
table's total line and in --json, read from DescribeProjectVersions on the local AWS endpoint."""

import json

import boto3
import pytest
from cli_helpers import write_tfvars
from typer.testing import CliRunner

from cli import app
from local_stack.sample_dataset import encode_png, manifest_line

runner = CliRunner()
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
PROJECT = "AWSDeepRacer"


@pytest.fixture
def regions(local_aws, emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "three.tfvars", REGIONS)))
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:9")  # no cost guards to look up: fail fast
    emulator.configure({"timing": {"mode": "manual"}})
    return emulator


def _trained(emulator, region: str, version: str) -> str:
    s3 = boto3.client("s3", region_name=region)
    bucket = f"units-{region}"
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket, **({} if region == "us-east-1" else
                                            {"CreateBucketConfiguration": {"LocationConstraint": region}}))
        lines = []
        for index, label in enumerate(["car", "cone"] * 2):
            key = f"images/{label}-{index}.png"
            s3.put_object(Bucket=bucket, Key=key, Body=encode_png([bytes([index * 40] * 3) * 64] * 64, 64))
            lines.append(manifest_line(f"s3://{bucket}/{key}", label))
        s3.put_object(Bucket=bucket, Key="output.manifest", Body="\n".join(lines) + "\n")
    client = boto3.client("rekognition", region_name=region)
    found = client.describe_projects(ProjectNames=[PROJECT])["ProjectDescriptions"]
    project_arn = found[0]["ProjectArn"] if found else client.create_project(ProjectName=PROJECT)["ProjectArn"]
    arn = client.create_project_version(
        ProjectArn=project_arn, VersionName=version, OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": "out/"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": "output.manifest"}}}]},
        TestingData={"AutoCreate": True})["ProjectVersionArn"]
    emulator.advance(region=region, project=PROJECT, version=version)
    return arn


def _running(emulator, region: str, version: str, units: int) -> None:
    arn = _trained(emulator, region, version)
    boto3.client("rekognition", region_name=region).start_project_version(ProjectVersionArn=arn,
                                                                           MinInferenceUnits=units)
    emulator.advance(region=region, project=PROJECT, version=version)


def test_status_counts_the_units_of_running_versions_per_region(regions):
    _running(regions, "us-east-1", "first", 1)
    _running(regions, "us-east-1", "second", 2)
    _running(regions, "eu-west-1", "first", 3)
    _trained(regions, "ap-southeast-2", "first")  # trained, not running: bills nothing

    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    units = json.loads(result.stdout)["inference_units"]
    assert units["total"] == 6
    assert units["by_region"] == {"us-east-1": 3, "eu-west-1": 3}
    assert sorted((v["region"], v["version"], v["units"]) for v in units["versions"]) == [
        ("eu-west-1", "first", 3), ("us-east-1", "first", 1), ("us-east-1", "second", 2)]

    plain = runner.invoke(app, ["status"], terminal_width=120)
    assert plain.exit_code == 0, plain.output
    assert "inference units running: 6 (us-east-1 3, eu-west-1 3)" in plain.output


def test_a_stopped_model_stops_counting(regions):
    _running(regions, "eu-west-1", "first", 2)
    arn = boto3.client("rekognition", region_name="eu-west-1").describe_project_versions(
        ProjectArn=boto3.client("rekognition", region_name="eu-west-1").describe_projects(
            ProjectNames=[PROJECT])["ProjectDescriptions"][0]["ProjectArn"])["ProjectVersionDescriptions"][0][
        "ProjectVersionArn"]
    boto3.client("rekognition", region_name="eu-west-1").stop_project_version(ProjectVersionArn=arn)
    regions.advance(region="eu-west-1", project=PROJECT, version="first")

    units = json.loads(runner.invoke(app, ["status", "--json"]).stdout)["inference_units"]
    assert units == {"total": 0, "by_region": {}, "versions": []}
    assert "inference units running: 0" in runner.invoke(app, ["status"]).output
