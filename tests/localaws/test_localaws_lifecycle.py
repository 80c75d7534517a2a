"""The whole Custom Labels lifecycle over HTTP with boto3's own waiters, in two regions, shape-checked."""

import boto3
import pytest
from localaws_support import ACCOUNT, assert_valid_output, png, seed_dataset

WAIT = {"Delay": 0.05, "MaxAttempts": 20}


def _lifecycle(rek, url, region):
    version_args = seed_dataset(url, region, classes=["car", "truck", "bus"])
    created = rek.create_project(ProjectName="AWSDeepRacer")
    assert_valid_output("CreateProject", created)
    project_arn = created["ProjectArn"]
    assert project_arn.startswith(f"arn:aws:rekognition:{region}:{ACCOUNT}:project/AWSDeepRacer/")

    version = rek.create_project_version(ProjectArn=project_arn, VersionName="first", **version_args)
    assert_valid_output("CreateProjectVersion", version)
    version_arn = version["ProjectVersionArn"]
    assert version_arn.startswith(f"arn:aws:rekognition:{region}:{ACCOUNT}:project/AWSDeepRacer/version/first/")

    rek.get_waiter("project_version_training_completed").wait(
        ProjectArn=project_arn, VersionNames=["first"], WaiterConfig=WAIT
    )
    trained = rek.describe_project_versions(ProjectArn=project_arn, VersionNames=["first"])
    assert_valid_output("DescribeProjectVersions", trained)
    description = trained["ProjectVersionDescriptions"][0]
    assert description["Status"] == "TRAINING_COMPLETED"
    assert description["BillableTrainingTimeInSeconds"] >= 1
    assert 0 < description["EvaluationResult"]["F1Score"] <= 1
    summary = description["EvaluationResult"]["Summary"]["S3Object"]
    assert summary["Bucket"] == version_args["OutputConfig"]["S3Bucket"]
    assert summary["Name"].startswith("proj/v1/")

    started = rek.start_project_version(ProjectVersionArn=version_arn, MinInferenceUnits=1, MaxInferenceUnits=2)
    assert_valid_output("StartProjectVersion", started)
    assert started["Status"] == "STARTING"
    rek.get_waiter("project_version_running").wait(ProjectArn=project_arn, VersionNames=["first"], WaiterConfig=WAIT)
    running = rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"][0]
    assert (running["Status"], running["MinInferenceUnits"], running["MaxInferenceUnits"]) == ("RUNNING", 1, 2)

    detected = rek.detect_custom_labels(ProjectVersionArn=version_arn, Image={"Bytes": png(seed=3)})
    assert_valid_output("DetectCustomLabels", detected)
    assert detected["CustomLabels"], "a running model answers with at least one label"
    assert {label["Name"] for label in detected["CustomLabels"]} <= {"car", "truck", "bus"}

    assert rek.stop_project_version(ProjectVersionArn=version_arn)["Status"] == "STOPPING"
    statuses = [rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"][0]["Status"]]
    statuses.append(rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"][0]["Status"])
    assert statuses == ["STOPPING", "STOPPED"]

    deleted = rek.delete_project_version(ProjectVersionArn=version_arn)
    assert_valid_output("DeleteProjectVersion", deleted)
    assert deleted["Status"] == "DELETING"
    assert [v["Status"] for v in rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"]] == [
        "DELETING"
    ]
    assert rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"] == []

    gone = rek.delete_project(ProjectArn=project_arn)
    assert_valid_output("DeleteProject", gone)
    assert gone["Status"] == "DELETING"
    listed = rek.describe_projects(ProjectNames=["AWSDeepRacer"])
    assert_valid_output("DescribeProjects", listed)
    assert [p["Status"] for p in listed["ProjectDescriptions"]] == ["DELETING"]
    assert rek.describe_projects(ProjectNames=["AWSDeepRacer"])["ProjectDescriptions"] == []
    return project_arn


def test_full_lifecycle_in_two_regions(local_aws, fast, rekognition):
    arns = [_lifecycle(rekognition(region), local_aws.url, region) for region in ("us-east-1", "eu-west-1")]
    assert arns[0] != arns[1]


def test_regions_and_accounts_are_isolated(local_aws, fast, rekognition):
    east, west = rekognition("us-east-1"), rekognition("eu-west-1")
    arn = east.create_project(ProjectName="shared-name")["ProjectArn"]
    assert west.describe_projects()["ProjectDescriptions"] == []
    # The same name is free in another region, and another region cannot see the ARN.
    west.create_project(ProjectName="shared-name")
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.describe_project_versions(ProjectArn=arn)
    assert [p["ProjectArn"] for p in east.describe_projects()["ProjectDescriptions"]] == [arn]


def test_accounts_are_isolated(local_aws, fast, rekognition):
    """Credentials from AssumeRole into another account act in that account, as in moto and AWS."""
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=local_aws.url)
    credentials = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/other", RoleSessionName="tests")["Credentials"]
    other = rekognition(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    arn = other.create_project(ProjectName="mine")["ProjectArn"]
    assert arn.startswith("arn:aws:rekognition:us-east-1:111111111111:project/mine/")
    assert rekognition().describe_projects()["ProjectDescriptions"] == []
    assert [p["ProjectArn"] for p in other.describe_projects()["ProjectDescriptions"]] == [arn]


def test_object_detection_model_returns_boxes_deterministically(local_aws, emulator, rekognition):
    emulator.configure({"timing": {"mode": "manual"}})
    rek = rekognition("ap-southeast-2")
    args = seed_dataset(local_aws.url, "ap-southeast-2", classes=["car", "cone"], detection=True)
    project = rek.create_project(ProjectName="boxes")["ProjectArn"]
    arn = rek.create_project_version(ProjectArn=project, VersionName="v1", **args)["ProjectVersionArn"]
    emulator.advance(region="ap-southeast-2")
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    emulator.advance(region="ap-southeast-2")
    image = png(seed=11)
    first = rek.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": image}, MinConfidence=0)
    again = rek.detect_custom_labels(ProjectVersionArn=arn, Image={"Bytes": image}, MinConfidence=0)
    assert_valid_output("DetectCustomLabels", first)
    assert first["CustomLabels"] == again["CustomLabels"]
    for label in first["CustomLabels"]:
        box = label["Geometry"]["BoundingBox"]
        assert label["Name"] in {"car", "cone"}
        assert 0 <= box["Left"] <= 1 - box["Width"] + 1e-9 and 0 <= box["Top"] <= 1 - box["Height"] + 1e-9


def test_min_confidence_and_max_results(local_aws, emulator, rekognition):
    emulator.configure({"timing": {"mode": "manual"}})
    rek = rekognition()
    args = seed_dataset(local_aws.url, "us-east-1", classes=["a", "b", "c", "d"])
    project = rek.create_project(ProjectName="filters")["ProjectArn"]
    arn = rek.create_project_version(ProjectArn=project, VersionName="v1", **args)["ProjectVersionArn"]
    emulator.advance()
    rek.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    emulator.advance()
    for seed in range(8):
        image = {"Bytes": png(seed=seed)}
        everything = rek.detect_custom_labels(ProjectVersionArn=arn, Image=image, MinConfidence=0)["CustomLabels"]
        confidences = [label["Confidence"] for label in everything]
        assert confidences == sorted(confidences, reverse=True)
        assert sorted(label["Name"] for label in everything) == ["a", "b", "c", "d"]  # 0 returns every label
        default = rek.detect_custom_labels(ProjectVersionArn=arn, Image=image)["CustomLabels"]
        assert default == [label for label in everything if label["Confidence"] >= 50]
        threshold = confidences[0] - 0.001
        above = rek.detect_custom_labels(ProjectVersionArn=arn, Image=image, MinConfidence=threshold)["CustomLabels"]
        assert [label["Confidence"] for label in above] == [c for c in confidences if c >= threshold]
        assert rek.detect_custom_labels(ProjectVersionArn=arn, Image=image, MinConfidence=100)["CustomLabels"] == []
        limited = rek.detect_custom_labels(ProjectVersionArn=arn, Image=image, MinConfidence=0, MaxResults=1)
        assert limited["CustomLabels"] == everything[:1]
