"""IAM enforcement of the local endpoint, seen through boto3 only: issued identities are held to their
policies (IAM User Guide, "Policy evaluation logic"), other keys act as the account root."""

import json
import subprocess
import sys

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_stack.sample_dataset import encode_png, manifest_line

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
ACCOUNT = "123456789012"
BUCKET = "iam-test-training"
OUTPUT = "iam-test-output"


def root(service, region="us-east-1"):
    return boto3.client(service, region_name=region, config=NO_RETRY)


def as_keys(keys, service, region="us-east-1"):
    return boto3.client(service, region_name=region, config=NO_RETRY, aws_access_key_id=keys["AccessKeyId"],
                        aws_secret_access_key=keys["SecretAccessKey"], aws_session_token=keys.get("SessionToken"))


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def user_with(name, *statements):
    iam = root("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


@pytest.fixture
def enforced(emulator):
    emulator.configure({"iam": {"enforce": True}})
    s3 = root("s3")
    for bucket in (BUCKET, OUTPUT):
        s3.create_bucket(Bucket=bucket)
    image = encode_png([bytes([90, 90, 90]) * 64] * 64, 64)
    lines = []
    for index, label in enumerate(("car", "cone", "car", "cone")):
        s3.put_object(Bucket=BUCKET, Key=f"images/{index}.png", Body=image)
        lines.append(manifest_line(f"s3://{BUCKET}/images/{index}.png", label))
    s3.put_object(Bucket=BUCKET, Key="train.manifest", Body="\n".join(lines).encode())
    return emulator


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_enforcement_is_off_by_default_and_switchable(emulator):
    assert emulator.config()["iam"] == {"enforce": False}
    assert emulator.configure({"iam": {"enforce": True}})["iam"] == {"enforce": True}
    assert emulator.configure({"iam": {"enforce": False}})["iam"] == {"enforce": False}
    from localaws.control import EmulatorControlError

    with pytest.raises(EmulatorControlError, match="iam must be"):
        emulator.configure({"iam": {"enforce": "yes"}})


def test_keys_never_issued_act_as_the_account_root(enforced):
    assert root("rekognition").describe_projects()["ProjectDescriptions"] == []
    assert root("s3").get_object(Bucket=BUCKET, Key="train.manifest")["Body"].read()


def test_principal_without_rekognition_permissions_gets_access_denied(enforced):
    keys = user_with("no-rekognition", allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"))
    with pytest.raises(ClientError) as excinfo:
        as_keys(keys, "rekognition").create_project(ProjectName="Denied")
    assert error_code(excinfo) == "AccessDeniedException"
    message = excinfo.value.response["Error"]["Message"]
    assert f"arn:aws:iam::{ACCOUNT}:user/no-rekognition" in message and "rekognition:CreateProject" in message
    assert root("rekognition").describe_projects()["ProjectDescriptions"] == []


def test_principal_without_s3_permissions_gets_access_denied_from_get_object(enforced):
    keys = user_with("no-s3", allow("rekognition:*"))
    with pytest.raises(ClientError) as excinfo:
        as_keys(keys, "s3").get_object(Bucket=BUCKET, Key="train.manifest")
    assert error_code(excinfo) == "AccessDenied"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_explicit_deny_wins_over_allow(enforced):
    keys = user_with(
        "denied-one-key", allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"),
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/train.manifest"},
    )
    s3 = as_keys(keys, "s3")
    assert s3.get_object(Bucket=BUCKET, Key="images/0.png")["Body"].read()
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=BUCKET, Key="train.manifest")
    assert error_code(excinfo) == "AccessDenied"
    assert "explicit deny in an identity-based policy" in excinfo.value.response["Error"]["Message"]


def test_bucket_policy_deny_applies_and_bucket_policy_allow_grants(enforced):
    keys = user_with("bucket-policy-user")
    arn = f"arn:aws:iam::{ACCOUNT}:user/bucket-policy-user"
    root("s3").put_bucket_policy(Bucket=BUCKET, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/images/3.png"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{BUCKET}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ))
    s3 = as_keys(keys, "s3")
    assert s3.get_object(Bucket=BUCKET, Key="images/0.png")["Body"].read()
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=BUCKET, Key="images/3.png")
    assert "explicit deny in a resource-based policy" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        s3.put_object(Bucket=BUCKET, Key="new", Body=b"x")  # the bucket policy grants reads only


def assume(keys, role_arn, name="job"):
    return as_keys(keys, "sts").assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]


def test_assume_role_needs_trust_and_identity_permission_and_sessions_hold_the_role_policies(enforced):
    iam = root("iam")
    operator = user_with("operator")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="reader", PolicyName="read", PolicyDocument=policy(
        allow("rekognition:DescribeProjects"), allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*")))
    with pytest.raises(ClientError) as excinfo:  # the trust names only the account: identity must allow too
        assume(operator, role_arn)
    assert error_code(excinfo) == "AccessDenied"
    iam.put_user_policy(UserName="operator", PolicyName="assume", PolicyDocument=policy(allow("sts:AssumeRole", role_arn)))
    session = assume(operator, role_arn)
    assert as_keys(session, "rekognition").describe_projects()["ProjectDescriptions"] == []
    assert as_keys(session, "s3").get_object(Bucket=BUCKET, Key="train.manifest")["Body"].read()
    with pytest.raises(ClientError) as excinfo:
        as_keys(session, "rekognition").create_project(ProjectName="NotAllowed")
    assert "assumed-role/reader/job" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as excinfo:
        root("sts").assume_role(RoleArn=role_arn, RoleSessionName="root")
    assert "root" in excinfo.value.response["Error"]["Message"]


def test_service_session_needs_the_trust_policy_to_name_the_service(enforced):
    from localaws.control import EmulatorControlError

    iam = root("iam")
    trust = policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    session = enforced.service_session(role_arn, "lambda.amazonaws.com")
    assert as_keys(session, "sts").get_caller_identity()["Arn"].endswith(":assumed-role/fn/lambda")
    with pytest.raises(EmulatorControlError, match="does not let ec2.amazonaws.com"):
        enforced.service_session(role_arn, "ec2.amazonaws.com")


def _train(keys):
    rek = as_keys(keys, "rekognition")
    project = rek.create_project(ProjectName="Perms")["ProjectArn"]
    asset = {"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Name": "train.manifest"}}}
    return rek, project, rek.create_project_version(
        ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": OUTPUT, "S3KeyPrefix": "out/"},
        TrainingData={"Assets": [asset]}, TestingData={"AutoCreate": True})["ProjectVersionArn"]


def _final_status(rek, enforced, project_arn):
    enforced.advance()
    described = rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"]
    return described[0]


REKOGNITION = allow(["rekognition:CreateProject", "rekognition:CreateProjectVersion", "rekognition:DescribeProjectVersions"])


@pytest.mark.parametrize("missing", ["read", "write"])
def test_training_uses_the_callers_s3_permissions(enforced, missing):
    statements = [REKOGNITION]
    if missing != "read":
        statements.append(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"))
    if missing != "write":
        statements.append(allow("s3:PutObject", f"arn:aws:s3:::{OUTPUT}/out/*"))
    keys = user_with(f"trainer-{missing}", *statements)
    enforced.configure({"timing": {"mode": "manual"}})
    rek, project, _ = _train(keys)
    version = _final_status(rek, enforced, project)
    assert version["Status"] == "TRAINING_FAILED"
    assert (BUCKET if missing == "read" else OUTPUT) in version["StatusMessage"]


def test_training_succeeds_with_read_and_write_permissions(enforced):
    keys = user_with("trainer", REKOGNITION, allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"),
                     allow("s3:PutObject", f"arn:aws:s3:::{OUTPUT}/out/*"))
    enforced.configure({"timing": {"mode": "manual"}})
    rek, project, _ = _train(keys)
    assert _final_status(rek, enforced, project)["Status"] == "TRAINING_COMPLETED"


def test_enforce_iam_flag_starts_the_endpoint_enforcing():
    code = (
        "from localaws.__main__ import main; import sys; sys.argv=['x']; "
        "from localaws.server import LocalAws; from localaws.control import EmulatorControl; "
        "s=LocalAws(port=0, enforce_iam=True).start(); c=EmulatorControl(s.url); c.reset(); "
        "print(c.config()['iam']['enforce']); s.stop()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "True", done.stderr
    helped = subprocess.run([sys.executable, "-m", "localaws", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert "--enforce-iam" in helped.stdout


def test_service_session_states_the_source_account_for_confused_deputy_guards(enforced):
    """A trust with aws:SourceAccount (IAM User Guide, "The confused deputy problem") lets the service in for this
    account only."""
    from localaws.control import EmulatorControlError

    iam = root("iam")
    trust = policy({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})
    role_arn = iam.create_role(RoleName="task", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    session = enforced.service_session(role_arn, "ecs-tasks.amazonaws.com")
    assert as_keys(session, "sts").get_caller_identity()["Arn"].endswith(":assumed-role/task/ecs-tasks")
    with pytest.raises(EmulatorControlError, match="does not let ecs-tasks.amazonaws.com"):
        enforced.service_session(role_arn, "ecs-tasks.amazonaws.com", source_account="999999999999")


# --- datasets and tags (issue 13 item 3) ----------------------------------------------------------------------
MANIFEST_SOURCE = {"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Name": "train.manifest"}}}


def _dataset_status(rek, enforced, arn):
    enforced.advance()
    return rek.describe_dataset(DatasetArn=arn)["DatasetDescription"]


@pytest.mark.parametrize("may_read", [False, True])
def test_create_dataset_reads_the_manifest_with_the_callers_s3_permissions(enforced, may_read):
    statements = [allow(["rekognition:CreateProject", "rekognition:CreateDataset", "rekognition:DescribeDataset"])]
    if may_read:
        statements.append(allow("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"))
    keys = user_with(f"dataset-maker-{may_read}", *statements)
    enforced.configure({"timing": {"mode": "manual"}})
    rek = as_keys(keys, "rekognition")
    project = rek.create_project(ProjectName="Datasets")["ProjectArn"]
    arn = rek.create_dataset(ProjectArn=project, DatasetType="TRAIN", DatasetSource=MANIFEST_SOURCE)["DatasetArn"]
    described = _dataset_status(rek, enforced, arn)
    if may_read:
        assert described["Status"] == "CREATE_COMPLETE" and described["DatasetStats"]["TotalEntries"] == 4
        return
    assert described["Status"] == "CREATE_FAILED" and described["StatusMessageCode"] == "CLIENT_ERROR"
    message = described["StatusMessage"]
    assert message.startswith("ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET: The S3 bucket permissions are incorrect.")
    assert BUCKET in message and "s3:GetObject" in message


def test_dataset_operations_are_authorized_on_the_dataset_arn(enforced):
    project_arns = f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/Scoped/*"
    keys = user_with("scoped", allow(["rekognition:CreateProject", "rekognition:CreateDataset"], project_arns),
                     allow("rekognition:DescribeDataset", f"arn:aws:rekognition:us-east-1:{ACCOUNT}:project/Scoped/dataset/*"))
    rek = as_keys(keys, "rekognition")
    project = rek.create_project(ProjectName="Scoped")["ProjectArn"]
    dataset = rek.create_dataset(ProjectArn=project, DatasetType="TEST")["DatasetArn"]
    assert rek.describe_dataset(DatasetArn=dataset)["DatasetDescription"]["Status"]
    for call in (lambda: rek.list_dataset_entries(DatasetArn=dataset), lambda: rek.delete_dataset(DatasetArn=dataset),
                 lambda: rek.list_tags_for_resource(ResourceArn=dataset)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "AccessDeniedException"
        assert f"on resource: {dataset}" in excinfo.value.response["Error"]["Message"]


def test_tags_on_create_and_dataset_copies_need_their_extra_actions(enforced):
    """Service Authorization Reference: Create* with Tags also needs rekognition:TagResource; CreateDataset from
    another dataset also needs rekognition:ListDatasetEntries on it."""
    keys = user_with("no-extras", allow(["rekognition:CreateProject", "rekognition:CreateDataset"]))
    rek = as_keys(keys, "rekognition")
    with pytest.raises(ClientError) as excinfo:
        rek.create_project(ProjectName="Tagged", Tags={"team": "a"})
    assert "rekognition:TagResource" in excinfo.value.response["Error"]["Message"]
    project = rek.create_project(ProjectName="Untagged")["ProjectArn"]
    source = root("rekognition").create_dataset(ProjectArn=project, DatasetType="TRAIN")["DatasetArn"]
    with pytest.raises(ClientError) as excinfo:
        rek.create_dataset(ProjectArn=project, DatasetType="TEST", DatasetSource={"DatasetArn": source})
    assert f"rekognition:ListDatasetEntries on resource: {source}" in excinfo.value.response["Error"]["Message"]


def test_unsigned_requests_are_anonymous_and_need_a_public_bucket_policy(enforced, local_aws):
    """An unsigned request is anonymous: S3 allows it only where a bucket policy grants Principal "*" (IAM User
    Guide, "Policy evaluation logic"; S3 User Guide, "Blocking public access"), never as the account root."""
    import urllib.error
    import urllib.request

    def unsigned(method, path, data=None):
        request = urllib.request.Request(f"{local_aws.url}/{BUCKET}/{path}", data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    status, body = unsigned("GET", "train.manifest")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    assert unsigned("PUT", "anonymous-upload", b"x")[0] == 403
    root("s3").put_bucket_policy(Bucket=BUCKET, Policy=policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/images/*"}))
    assert unsigned("GET", "images/0.png")[0] == 200
    assert unsigned("GET", "train.manifest")[0] == 403
    assert unsigned("PUT", "images/new.png", b"x")[0] == 403
