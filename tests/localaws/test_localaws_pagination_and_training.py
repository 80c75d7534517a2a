"""Pagination (newest first, boto3 paginators) and training outcomes decided by the manifest."""

import json

import boto3
import pytest
from localaws_support import assert_valid_output, seed_dataset


@pytest.fixture
def project(local_aws, fast, rekognition):
    rek = rekognition("eu-central-1")
    args = seed_dataset(local_aws.url, "eu-central-1")
    arn = rek.create_project(ProjectName="paged")["ProjectArn"]
    return rek, arn, args


def test_versions_newest_first_with_pagination(project):
    rek, arn, args = project
    names = [f"v{index}" for index in range(7)]
    for name in names:
        rek.create_project_version(ProjectArn=arn, VersionName=name, **args)
    pages = list(rek.get_paginator("describe_project_versions").paginate(ProjectArn=arn, PaginationConfig={"PageSize": 3}))
    assert [len(page["ProjectVersionDescriptions"]) for page in pages] == [3, 3, 1]
    for page in pages:
        assert_valid_output("DescribeProjectVersions", page)
    seen = [d["ProjectVersionArn"].split("/version/")[1].split("/")[0] for p in pages for d in p["ProjectVersionDescriptions"]]
    assert seen == list(reversed(names))
    filtered = rek.describe_project_versions(ProjectArn=arn, VersionNames=["v1", "v5", "absent"])
    assert [d["ProjectVersionArn"].split("/")[-2] for d in filtered["ProjectVersionDescriptions"]] == ["v5", "v1"]


def test_projects_paginator_and_name_filter(project):
    rek, first, _ = project
    for index in range(4):
        rek.create_project(ProjectName=f"extra-{index}")
    pages = list(rek.get_paginator("describe_projects").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["ProjectDescriptions"]) for page in pages] == [2, 2, 1]
    arns = [d["ProjectArn"] for page in pages for d in page["ProjectDescriptions"]]
    assert len(set(arns)) == 5 and arns[-1] == first
    only = rek.describe_projects(ProjectNames=["paged", "missing"])["ProjectDescriptions"]
    assert [d["ProjectArn"] for d in only] == [first]


def _status_after_training(rek, arn):
    for _ in range(3):
        description = rek.describe_project_versions(ProjectArn=arn)["ProjectVersionDescriptions"][0]
        if description["Status"] != "TRAINING_IN_PROGRESS":
            return description
    raise AssertionError("training never finished")


def _s3(local_aws):
    return boto3.client("s3", region_name="eu-central-1", endpoint_url=local_aws.url)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # Terminal manifest file errors (tm-terminal-errors-reference.html) ...
        ("missing", "The manifest file extension or contents are invalid"),
        ("empty", "The manifest file is empty."),
        ("binary", "not UTF-8"),
        # ... and a manifest whose only JSON Line is invalid: over the 20% invalid rows AWS accepts.
        ("not-json", "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: The manifest file contains too many invalid rows."),
        ("no-labels", "line 1: ERROR_NO_LABEL_ATTRIBUTES"),
        ("absent-image", "line 1: ERROR_INVALID_IMAGE, s3://train-eu-central-1/images/404.png does not exist"),
    ],
)
def test_bad_manifest_fails_training(project, local_aws, case, expected):
    rek, arn, args = project
    s3 = _s3(local_aws)
    bucket, key = "train-eu-central-1", "datasets/output.manifest"
    if case == "missing":
        s3.delete_object(Bucket=bucket, Key=key)
    else:
        body = {
            "empty": b"\n\n",
            "not-json": b"{this is not json\n",
            "no-labels": json.dumps({"source-ref": f"s3://{bucket}/images/0.png"}).encode(),
            "absent-image": json.dumps(
                {"source-ref": f"s3://{bucket}/images/404.png", "l": 0, "l-metadata": {"class-name": "car"}}
            ).encode(),
            "binary": b"\xff\xfe\x00garbage",
        }[case]
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    rek.create_project_version(ProjectArn=arn, VersionName="v1", **args)
    with pytest.raises(Exception, match="TRAINING_FAILED|Waiter encountered a terminal failure state"):
        rek.get_waiter("project_version_training_completed").wait(
            ProjectArn=arn, VersionNames=["v1"], WaiterConfig={"Delay": 0.05, "MaxAttempts": 5}
        )
    description = _status_after_training(rek, arn)
    assert description["Status"] == "TRAINING_FAILED"
    assert expected in description["StatusMessage"]
    assert "EvaluationResult" not in description
    assert_valid_output("DescribeProjectVersions", {"ProjectVersionDescriptions": [description]})


def test_manifest_in_another_region_fails_training(project, local_aws):
    rek, arn, args = project
    seed_dataset(local_aws.url, "us-west-2")
    args = {**args, "TrainingData": {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "train-us-west-2", "Name": "datasets/output.manifest"}}}]}}
    rek.create_project_version(ProjectArn=arn, VersionName="v1", **args)
    description = _status_after_training(rek, arn)
    assert description["Status"] == "TRAINING_FAILED"
    assert "us-west-2" in description["StatusMessage"]


def test_training_writes_evaluation_summary(project, local_aws):
    rek, arn, args = project
    rek.create_project_version(ProjectArn=arn, VersionName="v1", **args)
    description = _status_after_training(rek, arn)
    summary = description["EvaluationResult"]["Summary"]["S3Object"]
    body = json.loads(_s3(local_aws).get_object(Bucket=summary["Bucket"], Key=summary["Name"])["Body"].read())
    assert summary["Name"] == "proj/v1/EvaluationSummary-paged-v1.json"  # im-summary-file.html names it so
    metrics = body["AggregatedEvaluationResults"]["Metrics"]
    assert metrics["F1Score"] == description["EvaluationResult"]["F1Score"]
    assert {"Precision", "Recall", "ConfusionMatrix"} <= set(metrics)
    details = body["EvaluationDetails"]
    assert sorted(details["Labels"]) == ["car", "truck"]
    assert (details["NumberOfTrainingImages"], details["NumberOfTestingImages"]) == (2, 2)  # 4 images, split 80/20
    assert details["EvaluationEndTimestamp"].startswith("20")
    assert {label["Label"] for label in body["LabelEvaluationResults"]} == {"car", "truck"}
    assert all(label["NumberOfTestingImages"] == 1 for label in body["LabelEvaluationResults"])


def test_a_line_separator_inside_a_json_string_trains(local_aws, fast, rekognition):
    """Issue 15.5: JSON lines end at "\\n" only; a raw U+2028 / U+0085 inside a string belongs to its line."""
    from localaws_support import classification_manifest

    rek = rekognition("eu-central-1")
    lines = [json.loads(line) for line in classification_manifest("train-eu-central-1", ["car", "truck"]).splitlines()]
    for line in lines:
        line["note"] = "a\u2028b\u0085c"
    manifest = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    args = seed_dataset(local_aws.url, "eu-central-1", manifest=manifest)
    arn = rek.create_project(ProjectName="separators")["ProjectArn"]
    rek.create_project_version(ProjectArn=arn, VersionName="v1", **args)
    assert _status_after_training(rek, arn)["Status"] == "TRAINING_COMPLETED"
