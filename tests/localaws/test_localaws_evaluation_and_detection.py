"""Issue 17 item 4: evaluation figures that differ per region and can be set, detection answers that can be made to
disagree between regions. boto3 over HTTP only; settings through the control API (`/_emulator/config`)."""

import json

import pytest
from localaws_support import client, png, seed_dataset

from localaws.control import EmulatorControlError

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1")


def trained(local_aws, region: str, project: str = "Quality", version: str = "v1") -> tuple[object, dict]:
    """A version trained in `region` from a 2-label dataset; returns (client, its description)."""
    rek = client("rekognition", region, local_aws.url)
    arn = rek.create_project(ProjectName=project)["ProjectArn"]
    args = seed_dataset(local_aws.url, region)
    rek.create_project_version(ProjectArn=arn, VersionName=version, **args)
    for _ in range(3):
        description = rek.describe_project_versions(ProjectArn=arn)["ProjectVersionDescriptions"][0]
        if description["Status"] == "TRAINING_COMPLETED":
            return rek, description
    raise AssertionError(description)


def summary_of(local_aws, region: str, description: dict) -> dict:
    found = description["EvaluationResult"]["Summary"]["S3Object"]
    body = client("s3", region, local_aws.url).get_object(Bucket=found["Bucket"], Key=found["Name"])["Body"].read()
    return json.loads(body)


def test_default_figures_are_realistic_consistent_and_differ_by_region(local_aws, fast):
    figures = {}
    for region in REGIONS:
        _, description = trained(local_aws, region)
        metrics = summary_of(local_aws, region, description)["AggregatedEvaluationResults"]["Metrics"]
        assert metrics["F1Score"] == description["EvaluationResult"]["F1Score"]
        precision, recall = metrics["Precision"], metrics["Recall"]
        assert 0.8 <= precision < 0.99 and 0.8 <= recall < 0.99
        assert metrics["F1Score"] == pytest.approx(2 * precision * recall / (precision + recall), abs=0.001)
        figures[region] = (precision, recall, metrics["F1Score"])
    assert len(set(figures.values())) == len(REGIONS)


def test_default_figures_are_the_same_every_run(local_aws, fast, emulator):
    _, first = trained(local_aws, "eu-west-1")
    emulator.reset()
    fast.configure({"timing": {"mode": "calls", "TRAINING": 1}})
    _, again = trained(local_aws, "eu-west-1")
    assert first["ProjectVersionArn"] != again["ProjectVersionArn"]
    assert first["EvaluationResult"]["F1Score"] == again["EvaluationResult"]["F1Score"]


def test_figures_set_per_region_per_version_and_by_default(local_aws, fast):
    fast.configure({"evaluation": {"default": {"recall": 0.9}, "per_version": {"v1": {"precision": 0.8}},
                                   "per_region": {"eu-west-1": {"f1": 0.62}}}})
    _, europe = trained(local_aws, "eu-west-1")
    assert europe["EvaluationResult"]["F1Score"] == 0.62
    metrics = summary_of(local_aws, "eu-west-1", europe)["AggregatedEvaluationResults"]["Metrics"]
    assert (metrics["Precision"], metrics["Recall"]) == (0.8, 0.9)  # set figures win over the derived ones
    _, virginia = trained(local_aws, "us-east-1")
    assert virginia["EvaluationResult"]["F1Score"] == pytest.approx(2 * 0.8 * 0.9 / 1.7, abs=0.001)


@pytest.mark.parametrize("settings", [
    {"evaluation": {"per_region": {"eu-west-1": {"f1": 1.5}}}},
    {"evaluation": {"per_region": {"eu-west-1": {"accuracy": 0.5}}}},
    {"evaluation": {"default": {"f1": "high"}}},
    {"evaluation": {"per_model": {}}},
    {"detection": {"per_region": {"eu-west-1": {"bias_label": ""}}}},
    {"detection": {"per_region": {"eu-west-1": {"favourite": "cone"}}}},
])
def test_nonsense_settings_are_refused(emulator, settings):
    with pytest.raises(EmulatorControlError):
        emulator.configure(settings)
    assert emulator.config()["evaluation"] == {"default": {}, "per_version": {}, "per_region": {}}


def _top_labels(rek, arn: str, images: list[bytes]) -> list[str]:
    found = []
    for image in images:
        labels = rek.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": image}, MinConfidence=0)["CustomLabels"]
        found.append(max(labels, key=lambda label: label["Confidence"])["Name"])
    return found


def _running(local_aws, region: str):
    rek, description = trained(local_aws, region)
    arn = description["ProjectVersionArn"]
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    for _ in range(3):
        project = rek.describe_projects(ProjectNames=["Quality"])["ProjectDescriptions"][0]["ProjectArn"]
        if rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]["Status"] == "RUNNING":
            return rek, arn
    raise AssertionError("never RUNNING")


def test_a_bias_label_makes_one_region_disagree_and_a_salt_changes_answers(local_aws, fast):
    images = [png(seed=seed) for seed in range(12)]
    models = {region: _running(local_aws, region) for region in ("us-east-1", "eu-west-1")}
    plain = {region: _top_labels(*models[region], images) for region in models}
    assert plain["us-east-1"] == plain["eu-west-1"]  # the same dataset, no settings: the same answers
    assert set(plain["us-east-1"]) == {"car", "truck"}

    fast.configure({"detection": {"per_region": {"eu-west-1": {"bias_label": "truck"}}}})
    assert _top_labels(*models["eu-west-1"], images) == ["truck"] * len(images)
    assert _top_labels(*models["us-east-1"], images) == plain["us-east-1"]

    fast.configure({"detection": {"per_region": {"eu-west-1": {"bias_label": None, "salt": "retrained"}}}})
    salted = _top_labels(*models["eu-west-1"], images)
    assert salted != plain["eu-west-1"] and salted == _top_labels(*models["eu-west-1"], images)  # deterministic

    fast.configure({"detection": {"per_region": {"eu-west-1": {"bias_label": "bicycle", "salt": None}}}})
    assert _top_labels(*models["eu-west-1"], images) == plain["eu-west-1"]  # a class the model does not know
