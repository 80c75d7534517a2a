"""Issue 16.5: --version/--versions everywhere, "did you mean", non-zero exits (real local AWS endpoint)."""

import boto3
import pytest
from cli_helpers import write_tfvars
from typer.testing import CliRunner

from cli import app

runner = CliRunner()
REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture
def two_regions(local_aws, emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "two.tfvars", REGIONS)))
    return emulator


def _version(project: str, version: str, region: str = "us-east-1") -> None:
    client = boto3.client("rekognition", region_name=region)
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=f"out-{region}", **({} if region == "us-east-1" else
                                                 {"CreateBucketConfiguration": {"LocationConstraint": region}}))
    arn = client.create_project(ProjectName=project)["ProjectArn"]
    client.create_project_version(
        ProjectArn=arn, VersionName=version, OutputConfig={"S3Bucket": f"out-{region}", "S3KeyPrefix": "o/"},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": f"out-{region}", "Name": "m"}}}]},
        TestingData={"AutoCreate": True})


def _error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("flag", ["--version", "--versions", "-v"])
@pytest.mark.parametrize("command", ["start", "stop", "delete"])
def test_every_command_taking_versions_accepts_both_spellings(two_regions, command, flag):
    _version("AWSDeepRacer", "first")
    line = _error_line(runner.invoke(app, [command, flag, "frist", "--yes"] if command == "delete"
                                     else [command, flag, "frist"]))
    assert line == ("error: version(s) of project AWSDeepRacer not found in any of 2 region(s): "
                    "frist (did you mean first?)")


def test_build_accepts_versions_too_but_only_one(two_regions):
    line = _error_line(runner.invoke(app, ["build", "--versions", "a", "b", "--manifest", "m"]))
    assert line == "error: build creates one version at a time, got 2: a b"


def test_a_project_typo_gets_a_suggestion(two_regions):
    _version("AWSDeepRacer", "first")
    line = _error_line(runner.invoke(app, ["start", "--versions", "first", "--project", "AWSDeepRace"]))
    assert line == "error: project AWSDeepRace not found in any of 2 region(s) (did you mean AWSDeepRacer?)"


def test_a_region_typo_gets_a_suggestion(two_regions):
    line = _error_line(runner.invoke(app, ["status", "--region", "eu-west-2"]))
    assert "unknown region(s) eu-west-2 (did you mean eu-west-1?)" in line


def test_status_fails_when_a_region_cannot_be_read(two_regions):
    two_regions.configure({"faults": {"down_regions": ["eu-west-1"]}})
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 1, result.output
    import json

    regions = {r["region"]: r for r in json.loads(result.stdout)["regions"]}
    assert regions["eu-west-1"]["error"] and regions["us-east-1"]["error"] is None
    plain = runner.invoke(app, ["status"])
    assert plain.exit_code == 1
    assert "could not read 1 of 2 region(s): eu-west-1" in plain.output
