"""Training fails where the Custom Labels guide says it does, with the documented error, and writes the
validation results (manifest summary, validation manifests) where DescribeProjectVersions points.

Every case is a boto3 client over HTTP against the local endpoint; docs/TRAINING_RULES.md cites each rule's page.
"""

import json
import re
from pathlib import Path

import pytest
from localaws_support import assert_valid_output, client, create_bucket, png

from localaws.custom_labels import dataset_content, training_rules
from localaws.custom_labels import manifest as manifest_module

REGION, TRAIN, OUTPUT = "eu-west-1", "rules-train", "rules-output"
KEY = "datasets/train.manifest"


@pytest.fixture
def world(local_aws, fast):
    create_bucket(local_aws.url, REGION, TRAIN)
    create_bucket(local_aws.url, REGION, OUTPUT)
    s3, rek = client("s3", REGION, local_aws.url), client("rekognition", REGION, local_aws.url)
    s3.put_object(Bucket=TRAIN, Key="images/ok.png", Body=png(seed=1))
    return s3, rek, rek.create_project(ProjectName="Rules")["ProjectArn"]


def classification(label: str, image: str = f"s3://{TRAIN}/images/ok.png") -> dict:
    return {"source-ref": image, "c": 1, "c-metadata": {"class-name": label, "type": "groundtruth/image-classification"}}


def detection(labels: list[str], image: str = f"s3://{TRAIN}/images/ok.png") -> dict:
    return {
        "source-ref": image,
        "b": {"annotations": [{"class_id": i, "left": 1, "top": 1, "width": 10, "height": 10} for i in range(len(labels))]},
        "b-metadata": {"class-map": {str(i): name for i, name in enumerate(labels)}, "type": "groundtruth/object-detection"},
    }


def put_manifest(s3, lines: list[dict], key: str = KEY) -> dict:
    s3.put_object(Bucket=TRAIN, Key=key, Body="".join(json.dumps(line) + "\n" for line in lines).encode())
    return {"GroundTruthManifest": {"S3Object": {"Bucket": TRAIN, "Name": key}}}


def train(world, lines: list[dict], testing: list[dict] | None = None, assets: list | None = None) -> dict:
    """Train one version and return its description once training ended."""
    s3, rek, project = world
    training_assets = assets if assets is not None else [put_manifest(s3, lines)]
    testing_data = {"Assets": [put_manifest(s3, testing, "datasets/test.manifest")]} if testing else {"AutoCreate": True}
    rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": OUTPUT, "S3KeyPrefix": "out/"},
                               TrainingData={"Assets": training_assets}, TestingData=testing_data)
    for _ in range(3):
        description = rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]
        if description["Status"] != "TRAINING_IN_PROGRESS":
            assert_valid_output("DescribeProjectVersions", {"ProjectVersionDescriptions": [description]})
            return description
    raise AssertionError("training never ended")


def s3_json(world, s3_object: dict) -> dict:
    return json.loads(world[0].get_object(Bucket=s3_object["Bucket"], Key=s3_object["Name"])["Body"].read())


def validation_lines(world, result: dict) -> list[dict]:
    found = result["Validation"]["Assets"][0]["GroundTruthManifest"]["S3Object"]
    body = world[0].get_object(Bucket=found["Bucket"], Key=found["Name"])["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def assert_content_error(world, description: dict, code: str, message: str, scope: str = "training") -> dict:
    """TRAINING_FAILED naming the code and message, and the manifest summary reporting it in `scope`."""
    assert description["Status"] == "TRAINING_FAILED", description
    assert description["StatusMessage"].startswith(f"{code}: {message}"), description["StatusMessage"]
    assert "EvaluationResult" not in description and "Output" not in description["TrainingDataResult"]
    summary = s3_json(world, description["ManifestSummary"]["S3Object"])
    errors = summary["errors"] if scope == "both" else summary["statistics"][scope]["errors"]
    assert {"code": code, "message": message} in errors, summary
    return summary


def test_classification_with_one_label_fails_too_few_labels(world):
    description = train(world, [classification("car")] * 4)
    summary = assert_content_error(world, description, "ERROR_MANIFEST_TOO_FEW_LABELS", "The manifest file has too few labels.")
    assert summary["statistics"]["training"]["use_case"] == "IMAGE_LEVEL_LABELS"
    assert "classification needs at least 2" in description["StatusMessage"]


def test_object_detection_with_one_label_trains(world):
    """Detection needs only 1 label (limits.html): the rule above is not simply 'at least 2'."""
    description = train(world, [detection(["car"])] * 4)
    assert description["Status"] == "TRAINING_COMPLETED", description["StatusMessage"]
    summary = s3_json(world, description["ManifestSummary"]["S3Object"])
    assert summary["statistics"]["training"]["use_case"] == "OBJECT_LOCALIZATION"
    assert summary["errors"] == [] and summary["statistics"]["training"]["errors"] == []


def test_more_than_250_labels_fails_too_many_labels(world):
    lines = [classification(f"label-{index}") for index in range(251) for _ in range(2)]
    description = train(world, lines)
    assert_content_error(world, description, "ERROR_MANIFEST_TOO_MANY_LABELS", "The manifest file has too many labels.")
    assert "251 labels; at most 250" in description["StatusMessage"]


def test_images_in_two_buckets_fail(world, local_aws):
    create_bucket(local_aws.url, REGION, "rules-other")
    world[0].put_object(Bucket="rules-other", Key="images/ok.png", Body=png(seed=2))
    lines = [classification("car"), classification("car"), classification("truck"),
             classification("truck", "s3://rules-other/images/ok.png")]
    description = train(world, lines)
    assert_content_error(world, description, "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS",
                         "The manifest file contains images from multiple S3 buckets.")
    assert "rules-other, rules-train" in description["StatusMessage"]


def test_two_training_assets_fail_without_validation_results(world):
    s3 = world[0]
    first = put_manifest(s3, [classification("car")] * 2 + [classification("truck")] * 2)
    second = put_manifest(s3, [classification("car")] * 2 + [classification("truck")] * 2, "datasets/second.manifest")
    description = train(world, [], assets=[first, second])
    assert description["Status"] == "TRAINING_FAILED"
    assert "at most 1 training dataset" in description["StatusMessage"]
    assert "ManifestSummary" not in description and "Validation" not in description["TrainingDataResult"]


def test_autosplit_with_one_image_of_a_label_fails(world):
    description = train(world, [classification("car")] * 5 + [classification("truck")])
    assert_content_error(world, description, "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT",
                         "The manifest file contains insufficient labeled images per label to perform auto-split.")
    assert "truck" in description["StatusMessage"] and "car" not in description["StatusMessage"].split("images:")[1]


def test_the_same_dataset_with_a_testing_manifest_trains(world):
    """One image of a label is enough when the testing dataset is given (no split is needed)."""
    lines = [classification("car")] * 5 + [classification("truck")]
    description = train(world, lines, testing=[classification("car"), classification("truck")])
    assert description["Status"] == "TRAINING_COMPLETED", description["StatusMessage"]


def test_testing_labels_overlapping_less_than_half_fail(world):
    lines = [classification(name) for name in ("a", "b", "c") for _ in range(2)]
    description = train(world, lines, testing=[classification("a"), classification("x"), classification("y")])
    assert_content_error(world, description, "ERROR_INSUFFICIENT_LABEL_OVERLAP",
                         "Less than 50% label overlap between the training and testing manifest files.", scope="both")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"GIF89a not a png", "is not a PNG or JPEG image"),
        (png(width=32, height=64), "is 32x64 pixels, outside 64..4096"),
        (png(width=64, height=1300), "is 64x1300 pixels, an aspect ratio over 20:1"),
    ],
    ids=["not-png-or-jpeg", "under-64-pixels", "aspect-over-20-to-1"],
)
def test_an_invalid_image_is_left_out_and_marked_in_the_validation_manifest(world, body, problem):
    """A bad image is a non-terminal JSON Line error (ERROR_INVALID_IMAGE): up to 20% of the lines may have one."""
    world[0].put_object(Bucket=TRAIN, Key="images/bad.png", Body=body)
    lines = [classification(name) for name in ("car", "truck") for _ in range(4)] + [
        classification("car", f"s3://{TRAIN}/images/bad.png")
    ]
    description = train(world, lines)
    assert description["Status"] == "TRAINING_COMPLETED", description["StatusMessage"]
    summary = s3_json(world, description["ManifestSummary"]["S3Object"])["statistics"]
    assert summary["training"]["invalid_json_lines"] + summary["testing"]["invalid_json_lines"] == 1
    flagged = [line for result in ("TrainingDataResult", "TestingDataResult")
               for line in validation_lines(world, description[result]) if "errors" in line]
    assert len(flagged) == 1 and flagged[0]["source-ref"].endswith("/bad.png")
    assert flagged[0]["errors"][0]["code"] == "ERROR_INVALID_IMAGE"
    assert problem in flagged[0]["errors"][0]["detail"]
    evaluation = s3_json(world, description["EvaluationResult"]["Summary"]["S3Object"])
    details = evaluation["EvaluationDetails"]
    assert details["NumberOfTrainingImages"] + details["NumberOfTestingImages"] == 8  # the bad line is left out


def test_more_than_20_percent_invalid_lines_fail(world):
    lines = [classification(name) for name in ("car", "truck") for _ in range(4)]
    lines += [classification("car", f"s3://{TRAIN}/images/missing-{index}.png") for index in range(3)]  # 3 of 11
    description = train(world, lines)
    assert_content_error(world, description, "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
                         "The manifest file contains too many invalid rows.")
    assert "3 of 11 JSON Lines invalid" in description["StatusMessage"]
    assert "line 9: ERROR_INVALID_IMAGE" in description["StatusMessage"]


def test_a_manifest_over_the_size_limit_fails_without_validation_results(world, monkeypatch):
    """The 1 GB limit, shrunk for the test: the endpoint runs in this process, so the patched limit applies."""
    monkeypatch.setattr(manifest_module, "MAX_MANIFEST_BYTES", 100)
    description = train(world, [classification(name) for name in ("car", "truck") for _ in range(2)])
    assert description["Status"] == "TRAINING_FAILED"
    assert description["StatusMessage"].startswith("The manifest file size exceeds the maximum supported size")
    assert "ManifestSummary" not in description


def test_too_many_rows_fail(world, monkeypatch):
    monkeypatch.setattr(training_rules, "MAX_ROWS", 3)
    description = train(world, [classification(name) for name in ("car", "truck") for _ in range(2)])
    assert_content_error(world, description, "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM", "The manifest file has too many rows.")


def test_a_completed_training_points_at_its_validation_and_output_manifests(world):
    lines = [classification(name) for name in ("car", "truck") for _ in range(5)]
    description = train(world, lines)
    assert description["Status"] == "TRAINING_COMPLETED"
    training, testing = description["TrainingDataResult"], description["TestingDataResult"]
    assert len(validation_lines(world, training)) == 8 and len(validation_lines(world, testing)) == 2
    output = testing["Output"]["Assets"][0]["GroundTruthManifest"]["S3Object"]
    test_manifest = world[0].get_object(Bucket=output["Bucket"], Key=output["Name"])["Body"].read().decode().splitlines()
    assert sorted(json.loads(line)["c-metadata"]["class-name"] for line in test_manifest) == ["car", "truck"]
    summary = s3_json(world, description["ManifestSummary"]["S3Object"])
    assert summary["statistics"]["training"]["total_json_lines"] == 8
    assert summary["statistics"]["testing"]["valid_json_lines"] == 2


def test_every_rule_is_in_the_documented_table():
    table = (Path(__file__).parents[2] / "docs" / "TRAINING_RULES.md").read_text()
    codes = set(training_rules.CONTENT_ERRORS) | set(manifest_module.LINE_ERRORS) | set(dataset_content.FILE_ERRORS)
    listed = set(re.findall(r"\bERROR_[A-Z0-9_]+\b", table))
    assert codes <= listed, codes - listed
    assert "docs.aws.amazon.com/rekognition/latest/customlabels-dg/" in table
