"""Issue 13, "Done when": a client that uses only boto3 (and plain HTTP for the emulator's control API) sees
each behaviour of the issue against `python -m localaws --enforce-iam` run as a separate process.

Nothing from localaws is imported here: the endpoint is a black box, as AWS is.
"""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import urllib.request
import zlib
from pathlib import Path

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[2]
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
REGION = "us-east-1"
TRAIN, OTHER, OUTPUT = "client-train", "client-other", "client-output"
ACCOUNT = "123456789012"


def png(seed: int, width: int = 64, height: int = 64) -> bytes:
    """A valid RGB PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes([seed % 256, (seed * 7) % 256, (seed * 13) % 256]) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def endpoint():
    """`python -m localaws --port 0 --enforce-iam` in its own process; its URL."""
    process = subprocess.Popen([sys.executable, "-m", "localaws", "--port", "0", "--enforce-iam"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()
        assert line.startswith("localaws listening on "), line + process.stderr.read()
        yield line.split()[3]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def control(url: str, route: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(f"{url}/_emulator/{route}", data=json.dumps(body or {}).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def aws(endpoint):
    """Fresh state, transitions after one describe call, and boto3 clients as the account root."""
    control(endpoint, "reset")
    control(endpoint, "config", {"timing": {"mode": "calls", "TRAINING": 1, "STARTING": 1, "STOPPING": 1,
                                            "DELETING": 1, "DATASET": 1}})

    def make(service: str, keys: dict | None = None, region: str = REGION):
        credentials = {}
        if keys:
            credentials = {"aws_access_key_id": keys["AccessKeyId"], "aws_secret_access_key": keys["SecretAccessKey"],
                           "aws_session_token": keys.get("SessionToken")}
        return boto3.client(service, region_name=region, endpoint_url=endpoint, config=NO_RETRY, **credentials)

    s3 = make("s3")
    for bucket in (TRAIN, OTHER, OUTPUT):
        s3.create_bucket(Bucket=bucket)
    for index in range(12):
        s3.put_object(Bucket=TRAIN, Key=f"images/{index}.png", Body=png(index))
    s3.put_object(Bucket=OTHER, Key="images/0.png", Body=png(99))
    s3.put_object(Bucket=TRAIN, Key="images/tiny.png", Body=png(1, 32, 32))
    return make


def line(label: str, index: int, bucket: str = TRAIN, key: str | None = None) -> dict:
    return {"source-ref": f"s3://{bucket}/{key or f'images/{index}.png'}", "label": 0,
            "label-metadata": {"class-name": label, "confidence": 1, "type": "groundtruth/image-classification",
                               "human-annotated": "yes"}}


def put_manifest(aws, key: str, lines: list) -> dict:
    body = "".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in lines)
    aws("s3").put_object(Bucket=TRAIN, Key=key, Body=body.encode())
    return {"GroundTruthManifest": {"S3Object": {"Bucket": TRAIN, "Name": key}}}


def user(aws, name: str, *statements) -> dict:
    iam = aws("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": list(statements)}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def allow(action, resource="*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def finished(rek, project: str) -> dict:
    for _ in range(10):
        version = rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]
        if version["Status"] != "TRAINING_IN_PROGRESS":
            return version
    raise AssertionError("training never ended")


def settled(rek, dataset: str) -> dict:
    for _ in range(10):
        described = rek.describe_dataset(DatasetArn=dataset)["DatasetDescription"]
        if not described["Status"].endswith("_IN_PROGRESS"):
            return described
    raise AssertionError("dataset never settled")


# --- IAM ------------------------------------------------------------------------------------------------------
def test_a_principal_without_rekognition_permissions_gets_access_denied(aws):
    keys = user(aws, "no-rekognition", allow("s3:*"))
    with pytest.raises(ClientError) as excinfo:
        aws("rekognition", keys).describe_projects()
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "rekognition:DescribeProjects" in excinfo.value.response["Error"]["Message"]


def test_a_principal_without_s3_permissions_gets_access_denied_from_get_object(aws):
    keys = user(aws, "no-s3", allow("rekognition:*"))
    with pytest.raises(ClientError) as excinfo:
        aws("s3", keys).get_object(Bucket=TRAIN, Key="images/0.png")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_training_reads_the_images_with_the_callers_permissions(aws):
    keys = user(aws, "no-images", allow("rekognition:*"), allow("s3:GetObject", f"arn:aws:s3:::{TRAIN}/*.manifest"),
                allow("s3:PutObject", f"arn:aws:s3:::{OUTPUT}/*"))
    rek = aws("rekognition", keys)
    project = rek.create_project(ProjectName="NoImages")["ProjectArn"]
    rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": OUTPUT},
                               TrainingData={"Assets": [put_manifest(aws, "t.manifest", [line("car", 0), line("car", 1),
                                                                                        line("cone", 2), line("cone", 3)])]},
                               TestingData={"AutoCreate": True})
    version = finished(rek, project)
    assert version["Status"] == "TRAINING_FAILED"
    assert version["StatusMessage"].startswith("ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET") and TRAIN in version["StatusMessage"]


# --- training rules -------------------------------------------------------------------------------------------
TWO_LABELS = [line("car", 0), line("car", 1), line("cone", 2), line("cone", 3)]
CASES = {
    "one label": ([line("car", i) for i in range(4)], None, "ERROR_MANIFEST_TOO_FEW_LABELS"),
    "two buckets": ([*TWO_LABELS[:3], line("cone", 0, OTHER)], None, "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS"),
    "too few images for the split": ([*TWO_LABELS[:3]], None, "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT"),
    "too many invalid lines": ([*TWO_LABELS, "{not json", {"label": 1}], None, "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST"),
    "invalid images": ([*TWO_LABELS, *(line("car", 0, key="images/tiny.png") for _ in range(2))], None,
                       "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST"),
    "too many labels": ([line(f"label{i}", i % 12) for i in range(251)], [line(f"label{i}", i % 12) for i in range(251)],
                        "ERROR_MANIFEST_TOO_MANY_LABELS"),
    "label overlap": (TWO_LABELS, [line("truck", 4), line("bus", 5)], "ERROR_INSUFFICIENT_LABEL_OVERLAP"),
    "empty manifest": (["", ""], None, "The manifest file is empty."),
    "two training assets": (TWO_LABELS, None, "A model version has at most 1 training dataset"),
    "missing manifest": (None, None, "The manifest file extension or contents are invalid"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_documented_manifest_problem_fails_training(aws, case):
    training, testing, expected = CASES[case]
    asset = (put_manifest(aws, "train.manifest", training) if training is not None else
             {"GroundTruthManifest": {"S3Object": {"Bucket": TRAIN, "Name": "absent.manifest"}}})
    assets = [asset, asset] if case == "two training assets" else [asset]
    testing_data = {"Assets": [put_manifest(aws, "test.manifest", testing)]} if testing else {"AutoCreate": True}
    rek = aws("rekognition")
    project = rek.create_project(ProjectName="Rules")["ProjectArn"]
    rek.create_project_version(ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": OUTPUT, "S3KeyPrefix": "o/"},
                               TrainingData={"Assets": assets}, TestingData=testing_data)
    version = finished(rek, project)
    assert version["Status"] == "TRAINING_FAILED" and expected in version["StatusMessage"], version["StatusMessage"]
    if version["StatusMessage"].startswith("ERROR_"):  # content errors: validation results where AWS says they are
        summary = version["ManifestSummary"]["S3Object"]
        body = json.loads(aws("s3").get_object(Bucket=summary["Bucket"], Key=summary["Name"])["Body"].read())
        assert expected in json.dumps(body["errors"]) + json.dumps(body["statistics"])


# --- the guide's dataset workflow, outputs, detection --------------------------------------------------------
def test_the_guides_dataset_workflow_from_project_to_a_running_model(aws):
    rek, s3 = aws("rekognition"), aws("s3")
    project = rek.create_project(ProjectName="Workflow", Tags={"team": "vision"})["ProjectArn"]
    labels = ["car", "cone", "truck"]
    train_lines = [line(labels[i % 3], i) for i in range(9)]
    test_lines = [line(labels[i % 3], i) for i in range(9, 12)]
    train = rek.create_dataset(ProjectArn=project, DatasetType="TRAIN",
                               DatasetSource=put_manifest(aws, "train.manifest", train_lines))["DatasetArn"]
    test = rek.create_dataset(ProjectArn=project, DatasetType="TEST",
                              DatasetSource=put_manifest(aws, "test.manifest", test_lines))["DatasetArn"]
    assert rek.describe_dataset(DatasetArn=train)["DatasetDescription"]["Status"] == "CREATE_IN_PROGRESS"
    assert settled(rek, train)["Status"] == settled(rek, test)["Status"] == "CREATE_COMPLETE"
    entries = [json.loads(e) for page in rek.get_paginator("list_dataset_entries").paginate(DatasetArn=train)
               for e in page["DatasetEntries"]]
    assert len(entries) == 9 and {e["label-metadata"]["class-name"] for e in entries} == set(labels)
    datasets = rek.describe_projects(ProjectNames=["Workflow"])["ProjectDescriptions"][0]["Datasets"]
    assert {d["DatasetType"]: d["DatasetArn"] for d in datasets} == {"TRAIN": train, "TEST": test}

    version_arn = rek.create_project_version(ProjectArn=project, VersionName="v1",
                                             OutputConfig={"S3Bucket": OUTPUT, "S3KeyPrefix": "wf/"},
                                             Tags={"stage": "dev"})["ProjectVersionArn"]
    version = finished(rek, project)
    assert version["Status"] == "TRAINING_COMPLETED", version["StatusMessage"]
    summary = version["EvaluationResult"]["Summary"]["S3Object"]
    evaluation = json.loads(s3.get_object(Bucket=summary["Bucket"], Key=summary["Name"])["Body"].read())
    details = evaluation["EvaluationDetails"]
    assert details["ProjectVersionArn"] == version_arn and details["EvaluationEndTimestamp"]
    assert details["NumberOfTrainingImages"] == 9 and details["NumberOfTestingImages"] == 3
    assert {"Precision", "Recall", "F1Score", "ConfusionMatrix"} <= set(evaluation["AggregatedEvaluationResults"]["Metrics"])

    rek.start_project_version(ProjectVersionArn=version_arn, MinInferenceUnits=1)
    rek.describe_project_versions(ProjectArn=project)
    assert rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"][0]["Status"] == "RUNNING"
    every = rek.detect_custom_labels(ProjectVersionArn=version_arn, Image={"Bytes": png(5)}, MinConfidence=0)
    assert sorted(label["Name"] for label in every["CustomLabels"]) == labels

    assert rek.list_tags_for_resource(ResourceArn=project)["Tags"] == {"team": "vision"}
    assert rek.list_tags_for_resource(ResourceArn=version_arn)["Tags"] == {"stage": "dev"}
    rek.tag_resource(ResourceArn=train, Tags={"split": "train"})
    rek.untag_resource(ResourceArn=project, TagKeys=["team"])
    assert rek.list_tags_for_resource(ResourceArn=train)["Tags"] == {"split": "train"}
    assert rek.list_tags_for_resource(ResourceArn=project)["Tags"] == {}


def test_an_operation_the_endpoint_does_not_implement_is_a_4xx(aws):
    with pytest.raises(ClientError) as excinfo:
        aws("rekognition").detect_labels(Image={"Bytes": png(1)})
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert excinfo.value.response["Error"]["Code"] == "NotImplementedException"


def test_expect_100_continue_gets_exactly_one_interim_response(aws, endpoint):
    """A SigV4-signed PutObject (botocore signs it) sent by hand, to see every interim response."""
    host, port = endpoint.removeprefix("http://").split(":")
    body = b"0123456789"
    request = AWSRequest("PUT", f"{endpoint}/{TRAIN}/expect", data=body,
                         headers={"Expect": "100-continue", "Content-Length": str(len(body))})
    SigV4Auth(boto3.Session().get_credentials(), "s3", REGION).add_auth(request)
    headers = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"PUT /{TRAIN}/expect HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}"
                           "Connection: close\r\n\r\n".encode())
        received = connection.recv(65536)
        assert received.startswith(b"HTTP/1.1 100"), received
        connection.sendall(body)
        while chunk := connection.recv(65536):
            received += chunk
    assert received.count(b"100 Continue") == 1 and b"HTTP/1.1 200" in received, received
