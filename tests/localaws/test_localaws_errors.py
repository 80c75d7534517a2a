"""Every documented error arrives with AWS's code, as the boto3 exception class of that name."""

import pytest
from botocore.config import Config
from localaws_support import jpeg_header, png, seed_dataset

UNVALIDATED = Config(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False)


@pytest.fixture
def trained(local_aws, emulator, rekognition):
    """A project with one TRAINING_COMPLETED version in us-east-1 (manual timing)."""
    emulator.configure({"timing": {"mode": "manual"}})
    rek = rekognition()
    args = seed_dataset(local_aws.url, "us-east-1")
    project = rek.create_project(ProjectName="errors")["ProjectArn"]
    version = rek.create_project_version(ProjectArn=project, VersionName="v1", **args)["ProjectVersionArn"]
    emulator.advance()
    return rek, project, version, args


def test_not_found(rekognition, emulator):
    rek = rekognition()
    project = "arn:aws:rekognition:us-east-1:123456789012:project/nope/1700000000000"
    version = "arn:aws:rekognition:us-east-1:123456789012:project/nope/version/v1/1700000000000"
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.describe_project_versions(ProjectArn=project)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.delete_project(ProjectArn=project)
    for call in (rek.stop_project_version, rek.delete_project_version):
        with pytest.raises(rek.exceptions.ResourceNotFoundException):
            call(ProjectVersionArn=version)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": png()})


def test_duplicate_names_are_in_use(trained):
    # AWS answers ResourceInUseException here (CreateProject/CreateProjectVersion do not list
    # ResourceAlreadyExistsException in botocore's model).
    rek, project, _, args = trained
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.create_project(ProjectName="errors")
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.create_project_version(ProjectArn=project, VersionName="v1", **args)


@pytest.mark.parametrize("name", ["has space", "slash/name", "x" * 256, "ünïcode"])
def test_invalid_names(rekognition, emulator, name):
    rek = rekognition(config=UNVALIDATED)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.create_project(ProjectName=name)


def test_invalid_parameters(trained, rekognition):
    _, project, version, args = trained
    rek = rekognition(config=UNVALIDATED)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=0)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_project_version(ProjectVersionArn=version)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=3, MaxInferenceUnits=2)
    for bad in (0, 101):
        with pytest.raises(rek.exceptions.InvalidParameterException):
            rek.describe_project_versions(ProjectArn=project, MaxResults=bad)
        with pytest.raises(rek.exceptions.InvalidParameterException):
            rek.describe_projects(MaxResults=bad)
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.describe_projects(NextToken="not-a-token")
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.create_project_version(ProjectArn=project, VersionName="bad name", **args)
    no_testing = {k: v for k, v in args.items() if k != "TestingData"}
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.create_project_version(ProjectArn=project, VersionName="v2", **no_testing)
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.describe_project_versions(ProjectArn="not-an-arn")


def test_in_use_rules(trained, emulator):
    rek, project, version, args = trained
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.delete_project(ProjectArn=project)  # still has a version
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.stop_project_version(ProjectVersionArn=version)  # not running
    rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.delete_project_version(ProjectVersionArn=version)  # STARTING
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)  # already STARTING
    emulator.advance()
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.delete_project_version(ProjectVersionArn=version)  # RUNNING
    training = rek.create_project_version(ProjectArn=project, VersionName="v2", **args)["ProjectVersionArn"]
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.delete_project_version(ProjectVersionArn=training)  # TRAINING_IN_PROGRESS
    with pytest.raises(rek.exceptions.ResourceInUseException):
        rek.start_project_version(ProjectVersionArn=training, MinInferenceUnits=1)  # not trained yet


def test_detect_on_a_model_that_is_not_running(trained):
    rek, _, version, _ = trained
    with pytest.raises(rek.exceptions.ResourceNotReadyException):
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": png()})


@pytest.fixture
def running(trained, emulator):
    rek, _, version, _ = trained
    rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    emulator.advance()
    return rek, version


def test_image_checks(running, local_aws):
    rek, version = running
    too_large = png() + b"\x00" * (4 * 1024 * 1024)
    with pytest.raises(rek.exceptions.ImageTooLargeException):
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": too_large})
    for data in (b"GIF89a" + b"\x00" * 100, b"plain text, not an image", png(32, 32), png(64, 5000), jpeg_header(10, 100)):
        with pytest.raises(rek.exceptions.InvalidImageFormatException):
            rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": data})
    assert "CustomLabels" in rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": jpeg_header(640, 480)})


def test_detect_from_s3_object(running, local_aws):
    rek, version = running
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=local_aws.url)
    s3.put_object(Bucket="train-us-east-1", Key="probe.png", Body=png(seed=5))
    from_s3 = rek.detect_custom_labels(ProjectVersionArn=version, Image={"S3Object": {"Bucket": "train-us-east-1", "Name": "probe.png"}})
    from_bytes = rek.detect_custom_labels(ProjectVersionArn=version, Image={"Bytes": png(seed=5)})
    assert from_s3["CustomLabels"] == from_bytes["CustomLabels"]
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.detect_custom_labels(ProjectVersionArn=version, Image={"S3Object": {"Bucket": "train-us-east-1", "Name": "missing.png"}})


def test_malformed_request_body_is_a_client_error(local_aws, emulator):
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url=local_aws.url + "/",
        data=b"{not json",
        headers={"X-Amz-Target": "RekognitionService.DescribeProjects", "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials("testing", "testing"), "rekognition", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers), method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(prepared, timeout=10)
    assert error.value.code == 400
    assert b"SerializationException" in error.value.read()
