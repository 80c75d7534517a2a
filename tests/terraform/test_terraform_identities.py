"""The identities Terraform makes run the whole job on the local endpoint with IAM enforced (issue 13 item 5).

The worker holds a session of the Terraform-made worker role (as ECS would give it, the role's trust names
ecs-tasks.amazonaws.com), the inference handler one of the Terraform-made Lambda role; build -> start -> predict ->
stop -> delete must pass under them in every region. Custom Labels reads the images and writes its output with the
caller's S3 permissions (Custom Labels guide, "Set up SDK permissions"), so a worker policy without the output
buckets fails training exactly as it would on AWS.
"""

import asyncio
import base64
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from required_tools import temporal_test_server_path
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from terraform_support import ACCOUNT, APPLY_PREFIX, APPLY_REGIONS, requires_terraform

from configuration.resources import Resources
from configuration.settings import Settings
from local_stack.sample_dataset import encode_png, manifest_line
from workflows.models import OperationSummary

pytestmark = [pytest.mark.terraform, pytest.mark.slow, requires_terraform]

PROJECT = "AWSDeepRacer"  # terraform's default project_name: the one its policies name
MANIFEST_KEY = "assets/identities/output.manifest"
TIMING = {"mode": "calls", "TRAINING": 2, "STARTING": 1, "STOPPING": 1, "DELETING": 1}
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


class SessionClients:
    """The worker's client factory holding one role session's keys (like a task role's credentials)."""

    def __init__(self, keys: dict[str, str]):
        self._session = boto3.session.Session(
            aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
        )
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str):
        with self._lock:
            if (service, region) not in self._clients:
                self._clients[(service, region)] = self._session.client(service, region_name=region, config=NO_RETRY)
            return self._clients[(service, region)]


def png(shade: int) -> bytes:
    return encode_png([bytes([shade, shade, shade]) * 64] * 64, 64, level=6)


def upload_dataset(bucket: str) -> bytes:
    """Images of two labels and their manifest into the management bucket, as the operator (account root)."""
    s3 = boto3.client("s3", region_name="us-east-1")
    lines = []
    for index in range(8):
        label = ("car", "cone")[index % 2]
        key = f"assets/identities/images/{label}-{index:02d}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=png(40 + index * 20))
        lines.append(manifest_line(f"s3://{bucket}/{key}", label))
    s3.put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=("\n".join(lines) + "\n").encode())
    return png(40)


def settings_and_resources(outputs: dict) -> tuple[Settings, Resources]:
    settings = Settings(
        regions=tuple(APPLY_REGIONS), management_region="us-east-1", name_prefix=APPLY_PREFIX, project_name=PROJECT,
        default_version_name="v1", max_training_hours=1, min_inference_units=1, max_inference_units=None,
        poll_interval_seconds=60, poll_policy="adaptive", inference_ttl_hours=0, task_queue="unused",
    )
    resources = Resources(
        account_id=ACCOUNT, management_bucket=outputs["management_bucket"],
        training_buckets=outputs["training_buckets"], output_buckets=outputs["output_buckets"],
        sns_topic_arn=outputs["sns_topic_arn"], source="terraform",
    )
    return settings, resources


def worker_session(emulator, outputs: dict) -> dict[str, str]:
    return emulator.service_session(outputs["worker_role_arn"], "ecs-tasks.amazonaws.com", "worker")


def lambda_session(emulator, region: str) -> dict[str, str]:
    function = boto3.client("lambda", region_name=region).get_function(FunctionName=f"{APPLY_PREFIX}-inference")
    role_arn = function["Configuration"]["Role"]
    return emulator.service_session(role_arn, "lambda.amazonaws.com", "inference")


@pytest.fixture
def enforced(deployed, local_aws):
    """IAM enforced and calls-paced training for one test; both off afterwards (the apply stays)."""
    from localaws.control import EmulatorControl

    control = EmulatorControl(local_aws.url)
    previous = control.config()
    control.configure({"timing": TIMING, "replication_delay_seconds": 0, "iam": {"enforce": True}})
    yield control
    control.configure({"timing": previous["timing"], "iam": {"enforce": False}})


async def run_job(emulator, outputs: dict, keys: dict[str, str], steps: list[tuple[str, dict]]) -> list:
    """Run the parents one after another on a worker holding `keys`; their summaries (or the failure raised)."""
    from worker import build_worker

    settings, resources = settings_and_resources(outputs)
    queue = f"identities-{uuid.uuid4().hex[:8]}"
    results = []
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path()
    ) as env:
        with ThreadPoolExecutor(max_workers=8) as executor:
            async with build_worker(env.client, settings, resources, executor, task_queue=queue,
                                    clients=SessionClients(keys)):
                for name, payload in steps:
                    results.append(await env.client.execute_workflow(
                        name, payload, id=f"{name}/{queue}", task_queue=queue, result_type=OperationSummary))
    return results


def predict(keys: dict[str, str], region: str, image: bytes) -> tuple[int, dict]:
    """The inference handler of `region` with the Lambda role's session answers an ALB POST."""
    from inference.handler import make_handler

    def client(for_region: str):
        return boto3.client("rekognition", region_name=for_region, config=NO_RETRY,
                            aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                            aws_session_token=keys["SessionToken"])

    handler = make_handler(region, default_project=PROJECT, allowed_projects=[PROJECT], client_factory=client)
    event = {
        "requestContext": {"elb": {"targetGroupArn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/t/1"}},
        "httpMethod": "POST", "path": "/", "queryStringParameters": {"ProjectName": PROJECT, "VersionName": "v1"},
        "headers": {"content-type": "image/png"}, "body": base64.b64encode(image).decode(), "isBase64Encoded": True,
    }
    response = handler(event, None)
    return response["statusCode"], json.loads(response["body"])


LIFECYCLE = [
    ("BuildModelWorkflow", {"ProjectName": PROJECT, "VersionName": "v1", "ManifestKey": MANIFEST_KEY}),
    ("StartModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["v1"], "MinInferenceUnits": 1}),
]
TEARDOWN = [
    ("StopModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["v1"]}),
    ("DeleteModelWorkflow", {"ProjectName": PROJECT, "VersionNames": ["v1"]}),
]


def test_terraform_identities_run_build_start_predict_stop_delete(enforced, deployed):
    image = upload_dataset(deployed["management_bucket"])
    keys = worker_session(enforced, deployed)
    built, started = asyncio.run(run_job(enforced, deployed, keys, LIFECYCLE))
    assert sorted(built.succeeded) == sorted(APPLY_REGIONS), built.failed
    assert sorted(started.succeeded) == sorted(APPLY_REGIONS), started.failed

    for region in APPLY_REGIONS:
        status, body = predict(lambda_session(enforced, region), region, image)
        assert status == 200, body
        assert body["Region"] == region and body["CustomLabels"], body

    stopped, deleted = asyncio.run(run_job(enforced, deployed, keys, TEARDOWN))
    assert sorted(stopped.succeeded) == sorted(APPLY_REGIONS), stopped.failed
    assert sorted(deleted.succeeded) == sorted(APPLY_REGIONS), deleted.failed


def test_a_worker_policy_without_the_output_buckets_fails_training_with_the_s3_error(enforced, deployed):
    """Remove the statement granting the output buckets: training fails in each region naming that bucket."""
    iam = boto3.client("iam", region_name="us-east-1")
    policy_arn = deployed["worker_policy_arn"]
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    kept = [s for s in document["Statement"] if s.get("Sid") != "WriteTrainingOutput"]
    assert len(kept) == len(document["Statement"]) - 1, "the worker policy has a WriteTrainingOutput statement"
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps({**document, "Statement": kept}),
                              SetAsDefault=True)
    try:
        upload_dataset(deployed["management_bucket"])
        keys = worker_session(enforced, deployed)
        build = ("BuildModelWorkflow", {"ProjectName": PROJECT, "VersionName": "denied", "ManifestKey": MANIFEST_KEY})
        with pytest.raises(WorkflowFailureError) as failed:  # every region failed: so does the workflow
            asyncio.run(run_job(enforced, deployed, keys, [build]))
    finally:
        iam.set_default_policy_version(PolicyArn=policy_arn, VersionId=version)
    reason = failed.value.cause.message
    assert f"failed in {len(APPLY_REGIONS)} region(s)" in reason, reason
    for region in APPLY_REGIONS:
        assert f"{region}: denied: Unable to write to output S3 bucket. Access denied to s3://{deployed['output_buckets'][region]}/" in reason, reason
