"""Issue 17 items 2-4 from the CLI: `compare` reports a disagreement injected through the emulator's control API,
`status` shows each version's F1 per region. Real local endpoint, plain boto3 to set it up."""

import json

import boto3
import pytest
from cli_helpers import write_tfvars
from typer.testing import CliRunner

from cli import app
from local_stack.sample_dataset import encode_png, manifest_line

runner = CliRunner()
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "ap-south-1"]
RUNNING = ["ap-southeast-2", "eu-west-1", "us-east-1"]  # ap-south-1 is trained, not started
PROJECT = "Compared"


def _png(shade: int) -> bytes:
    return encode_png([bytes([shade, 255 - shade, (shade * 7) % 256]) * 64] * 64, 64)


def _settle(rek, project_arn: str, status: str) -> str:
    for _ in range(5):
        found = rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"][0]
        if found["Status"] == status:
            return found["ProjectVersionArn"]
    raise AssertionError(found)


@pytest.fixture
def models(local_aws, emulator, tmp_path, monkeypatch):
    """Version v1 trained in four regions from the same dataset, RUNNING in three; returns {region: arn}."""
    emulator.configure({"timing": {"mode": "calls", "TRAINING": 1, "STARTING": 1},
                        "evaluation": {"per_region": {"eu-west-1": {"f1": 0.62}}}})
    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "four.tfvars", REGIONS, project_name=PROJECT)))
    arns = {}
    for region in REGIONS:
        s3, rek = boto3.client("s3", region_name=region), boto3.client("rekognition", region_name=region)
        bucket = f"compare-{region}"
        s3.create_bucket(Bucket=bucket, **({} if region == "us-east-1" else
                                           {"CreateBucketConfiguration": {"LocationConstraint": region}}))
        lines = []
        for index, label in enumerate(["car", "cone"] * 3):
            s3.put_object(Bucket=bucket, Key=f"images/{index}.png", Body=_png(index * 40))
            lines.append(manifest_line(f"s3://{bucket}/images/{index}.png", label))
        s3.put_object(Bucket=bucket, Key="output.manifest", Body="\n".join(lines).encode())
        project = rek.create_project(ProjectName=PROJECT)["ProjectArn"]
        rek.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": "out/"},
            TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": "output.manifest"}}}]},
            TestingData={"AutoCreate": True})
        arns[region] = _settle(rek, project, "TRAINING_COMPLETED")
        if region in RUNNING:
            rek.start_project_version(ProjectVersionArn=arns[region], MinInferenceUnits=1)
            _settle(rek, project, "RUNNING")
    return arns


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "probe"
    folder.mkdir()
    for index in range(10):
        (folder / f"img-{index}.png").write_bytes(_png(7 + index * 23))
    (folder / "notes.txt").write_text("not an image")
    return folder


def _top(region: str, arn: str, image: bytes) -> str:
    labels = boto3.client("rekognition", region_name=region).detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": image})["CustomLabels"]
    return max(labels, key=lambda label: label["Confidence"])["Name"] if labels else "(none)"


def test_compare_reports_a_disagreement_injected_in_one_region(models, images, emulator):
    emulator.configure({"detection": {"per_region": {"eu-west-1": {"bias_label": "cone"}}}})
    # what the other regions answer, asked here directly: eu-west-1 agrees with them only where they say "cone"
    plain = {p.name: _top("us-east-1", models["us-east-1"], p.read_bytes()) for p in sorted(images.glob("*.png"))}
    expected = sum(label == "cone" for label in plain.values()) / len(plain)
    assert 0 < expected < 1, plain  # the images make the bias visible

    result = runner.invoke(app, ["compare", "--images", str(images), "--json"])

    assert result.exit_code == 0, result.output
    version = json.loads(result.stdout)["versions"][0]
    assert version["version"] == "v1" and version["regions"] == RUNNING
    assert version["skipped"] == {"ap-south-1": "TRAINING_COMPLETED"} and version["errors"] == {}
    assert {name: labels["eu-west-1"] for name, labels in version["top_labels"].items()} == dict.fromkeys(plain, "cone")
    assert {name: labels["ap-southeast-2"] for name, labels in version["top_labels"].items()} == plain
    matrix = version["agreement"]
    assert matrix["us-east-1"]["ap-southeast-2"] == 1.0
    assert matrix["eu-west-1"]["us-east-1"] == matrix["ap-southeast-2"]["eu-west-1"] == pytest.approx(expected)
    assert version["overall"] == pytest.approx((1 + 2 * expected) / 3)
    assert version["unanimous"] == pytest.approx(expected)
    assert version["disagree_most"][0] == {"region": "eu-west-1", "agreement": pytest.approx(expected)}

    human = runner.invoke(app, ["compare", "--images", str(images)])
    assert human.exit_code == 0, human.output
    assert f"regions that disagree most: eu-west-1 ({expected * 100:.0f}%)" in human.output
    assert "skipped ap-south-1: TRAINING_COMPLETED" in human.output


def test_compare_without_two_running_regions_cannot_compare(models, images):
    result = runner.invoke(app, ["compare", "--images", str(images), "--region", "us-east-1", "--region", "ap-south-1",
                                 "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["versions"][0]["regions"] == ["us-east-1"]
    missing = runner.invoke(app, ["compare", "--images", str(images / "nowhere")])
    assert missing.exit_code == 1 and missing.output.startswith("error: ") and len(missing.output.splitlines()) == 1


def test_status_shows_f1_per_version_and_region(models):
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    evaluations = {rv["region"]: rv["versions"][0]["evaluation"] for rv in json.loads(result.stdout)["regions"]}
    assert evaluations["eu-west-1"]["f1"] == 0.62 and evaluations["eu-west-1"]["precision"] == 0.62
    for region, found in evaluations.items():
        assert 0 < found["f1"] <= 1 and found["test_images"] == 2, (region, found)
        assert found["summary_uri"].startswith(f"s3://compare-{region}/out/EvaluationSummary-{PROJECT}-v1.json")
    assert len({found["f1"] for found in evaluations.values()}) == len(REGIONS)  # each region trained its own
    table = runner.invoke(app, ["status"], env={"COLUMNS": "200"})
    row = next(line for line in table.output.splitlines() if "eu-west-1" in line)
    assert "0.620" in row
    spread = json.loads(result.stdout)["f1_spread"]["v1"]  # issue 17.3: how far apart the regions' models are
    low, high = min(found["f1"] for found in evaluations.values()), max(found["f1"] for found in evaluations.values())
    assert (spread["min"], spread["max"], spread["regions"]) == (low, high, len(REGIONS)) and low == 0.62
    assert spread["min_region"] == "eu-west-1" and spread["spread"] == round(high - low, 4)
    assert f"v1: F1 min 0.620 (eu-west-1), max {high:.3f}" in table.output
