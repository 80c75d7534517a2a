"""`terraform apply` of the regional and management parts (no Global Accelerator) against the local AWS
endpoint, then boto3 checks that what was declared exists: buckets, replication, topic, Lambda, ALB."""

import json
import subprocess
from pathlib import Path

import boto3
import pytest
from terraform_support import ACCOUNT, WORKER_IMAGE, WORKER_QUEUE, requires_terraform
from terraform_support import APPLY_PREFIX as PREFIX
from terraform_support import APPLY_REGIONS as REGIONS

pytestmark = [pytest.mark.terraform, pytest.mark.slow, requires_terraform]


def client(service: str, region: str):
    return boto3.client(service, region_name=region)


def bucket_names(outputs: dict) -> list[tuple[str, str, str]]:
    """(kind, region, bucket) for every bucket Terraform declared."""
    names = [("management", outputs["management_region"], outputs["management_bucket"])]
    names += [("training", r, b) for r, b in outputs["training_buckets"].items()]
    names += [("output", r, b) for r, b in outputs["output_buckets"].items()]
    return names


def test_outputs_follow_the_naming_rule(deployed):
    assert deployed["account_id"] == ACCOUNT
    assert deployed["regions"] == REGIONS
    assert deployed["management_bucket"] == f"{PREFIX}-mgmt-{ACCOUNT}-us-east-1"
    assert deployed["training_buckets"] == {r: f"{PREFIX}-train-{ACCOUNT}-{r}" for r in REGIONS}
    assert deployed["output_buckets"] == {r: f"{PREFIX}-output-{ACCOUNT}-{r}" for r in REGIONS}
    assert deployed["sns_topic_arn"] == f"arn:aws:sns:us-east-1:{ACCOUNT}:{PREFIX}-notifications"
    assert (
        deployed.get("accelerator_dns_name") is None
    )  # null outputs are left out of `terraform output -json`
    assert set(deployed["alb_dns_names"]) == set(REGIONS)


def test_buckets_are_private_versioned_encrypted_and_tls_only(deployed):
    for kind, region, bucket in bucket_names(deployed):
        s3 = client("s3", region)
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled", bucket
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", bucket
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert block == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }, bucket
        lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        assert lifecycle[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1, bucket
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        deny = next(s for s in policy["Statement"] if s.get("Sid") == "DenyInsecureTransport")
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, (
            bucket
        )
        rekognition = [
            s for s in policy["Statement"] if s.get("Principal") == {"Service": "rekognition.amazonaws.com"}
        ]
        assert not rekognition, f"{bucket}: no legacy Rekognition service-principal grants"


def test_management_bucket_replicates_to_every_region(deployed):
    s3 = client("s3", deployed["management_region"])
    config = s3.get_bucket_replication(Bucket=deployed["management_bucket"])["ReplicationConfiguration"]
    assert config["Role"].endswith(f"role/service-role/{PREFIX}-replication")
    rules = config["Rules"]
    destinations = {rule["Destination"]["Bucket"] for rule in rules}
    assert destinations == {f"arn:aws:s3:::{b}" for b in deployed["training_buckets"].values()}
    assert len(rules) == len(REGIONS)
    assert len({rule["Priority"] for rule in rules}) == len(rules)
    assert all(rule["Status"] == "Enabled" for rule in rules)
    assert all(rule["DeleteMarkerReplication"]["Status"] == "Enabled" for rule in rules)


def test_replication_role_has_only_what_replication_needs(deployed):
    iam = client("iam", "us-east-1")
    document = iam.get_role_policy(RoleName=f"{PREFIX}-replication", PolicyName="replication")[
        "PolicyDocument"
    ]
    document = json.loads(document) if isinstance(document, str) else document
    actions = {
        a
        for s in document["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {
        "s3:GetReplicationConfiguration",
        "s3:ListBucket",
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:ReplicateTags",
    }


def test_topic_is_encrypted(deployed):
    attributes = client("sns", "us-east-1").get_topic_attributes(TopicArn=deployed["sns_topic_arn"])[
        "Attributes"
    ]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"


def test_worker_policy_allows_no_wildcard_action(deployed):
    iam = client("iam", "us-east-1")
    policy = iam.get_policy(PolicyArn=deployed["worker_policy_arn"])["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]
    document = version["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    actions = [
        a
        for s in document["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert "*" not in actions
    assert {"rekognition:CreateProjectVersion", "s3:GetObject", "sns:Publish"} <= set(actions)
    attached = iam.list_attached_role_policies(RoleName=f"{PREFIX}-worker")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [deployed["worker_policy_arn"]]


@pytest.mark.parametrize("region", REGIONS)
def test_inference_lambda_and_alb(deployed, region):
    lambda_client = client("lambda", region)
    function = lambda_client.get_function(FunctionName=f"{PREFIX}-inference")
    configuration = function["Configuration"]
    assert configuration["Runtime"] == "python3.12"
    assert configuration["Handler"] == "handler.lambda_handler"
    assert configuration["Environment"]["Variables"] == {
        "DEFAULT_PROJECT_NAME": "AWSDeepRacer",
        "DEFAULT_VERSION_NAME": "first",
        "CACHE_TTL_SECONDS": "60",
        "HEALTH_CHECK_PATH": "/health",
        "ALLOWED_PROJECTS": "AWSDeepRacer",
    }
    assert configuration["Role"].endswith(f"role/{PREFIX}-inference-{region}")
    # The region's Powertools layer, pinned (the local endpoint names it with its own account; AWS with 017000801446).
    assert [layer["Arn"].split(":layer:")[1] for layer in configuration["Layers"]] == [
        "AWSLambdaPowertoolsPythonV3-python312-x86_64:27"]
    assert all(layer["Arn"].startswith(f"arn:aws:lambda:{region}:") for layer in configuration["Layers"])
    assert "ReservedConcurrentExecutions" not in function.get("Concurrency", {})

    elbv2 = client("elbv2", region)
    balancers = [
        lb
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"].startswith(PREFIX)
    ]
    assert len(balancers) == 1
    alb = balancers[0]
    # Terraform sends Scheme only for internal ALBs and moto then leaves it out (AWS's default is internet-facing).
    assert alb.get("Scheme", "internet-facing") == "internet-facing" and alb["Type"] == "application"
    assert len({zone["ZoneName"] for zone in alb["AvailabilityZones"]}) == 2
    assert alb["DNSName"] == deployed["alb_dns_names"][region]

    groups = elbv2.describe_target_groups(LoadBalancerArn=alb["LoadBalancerArn"])["TargetGroups"]
    assert len(groups) == 1
    group = groups[0]
    assert group["TargetType"] == "lambda"
    assert group["HealthCheckEnabled"] is True and group["HealthCheckPath"] == "/health"
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert [(l["Port"], l["DefaultActions"][0]["TargetGroupArn"]) for l in listeners] == [
        (80, group["TargetGroupArn"])
    ]
    targets = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
    assert [t["Target"]["Id"] for t in targets] == [configuration["FunctionArn"]]

    statements = json.loads(lambda_client.get_policy(FunctionName=f"{PREFIX}-inference")["Policy"])[
        "Statement"
    ]
    assert len(statements) == 1
    permission = statements[0]
    assert permission["Principal"] == {"Service": "elasticloadbalancing.amazonaws.com"}
    assert permission["Condition"]["ArnLike"]["AWS:SourceArn"] == group["TargetGroupArn"]


# ---------------------------------------------------------------------------------------------------------------
# Issue 14 item 6: the package's apply (worker service included) is destroyed, checked with boto3 to leave nothing,
# and applied again, which must not collide with anything; the identity tests then run on the re-applied stack.
# ---------------------------------------------------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def left_behind(prefix: str) -> dict[str, list[str]]:
    """Everything named after `prefix` that still exists, per kind, in every region the cycle touches."""
    found: dict[str, list[str]] = {}

    def add(kind: str, names) -> None:
        names = sorted(names)
        if names:
            found[kind] = names

    s3 = client("s3", "us-east-1")
    add("buckets", [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(prefix)])
    iam = client("iam", "us-east-1")
    add("roles", [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)])
    add("policies", [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]
                     if p["PolicyName"].startswith(prefix)])
    add("topics", [t["TopicArn"] for t in client("sns", "us-east-1").list_topics()["Topics"] if f":{prefix}-" in t["TopicArn"]])
    for region in REGIONS:
        add(f"functions {region}", [f["FunctionName"] for f in client("lambda", region).list_functions()["Functions"]
                                    if f["FunctionName"].startswith(prefix)])
        logs = client("logs", region)
        add(f"log groups {region}", [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]
                                     if prefix in g["logGroupName"]])
        elbv2 = client("elbv2", region)
        add(f"load balancers {region}", [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]
                                         if lb["LoadBalancerName"].startswith(prefix)])
        add(f"target groups {region}", [tg["TargetGroupName"] for tg in elbv2.describe_target_groups()["TargetGroups"]
                                        if tg["TargetGroupName"].startswith(prefix)])
        ec2 = client("ec2", region)
        named = [{"Name": "tag:Name", "Values": [f"{prefix}*"]}]
        add(f"vpcs {region}", [v["VpcId"] for v in ec2.describe_vpcs(Filters=named)["Vpcs"]])
        add(f"security groups {region}", [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]
                                          if g["GroupName"].startswith(prefix)])
        add(f"elastic ips {region}", [a["AllocationId"] for a in ec2.describe_addresses(Filters=named)["Addresses"]])
        add(f"nat gateways {region}", [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=named)["NatGateways"]
                                       if n["State"] not in ("deleted", "deleting")])
        ecs = client("ecs", region)
        clusters = ecs.describe_clusters(clusters=[f"{prefix}-worker"])["clusters"]
        add(f"ecs clusters {region}", [c["clusterName"] for c in clusters if c["status"] == "ACTIVE"])
        add(f"task definitions {region}", ecs.list_task_definitions(familyPrefix=f"{prefix}-worker",
                                                                    status="ACTIVE")["taskDefinitionArns"])
    return found


def test_the_deployed_task_definition_runs_the_worker_from_the_image_files(deployed, tmp_path, local_aws):
    """The worker as ECS would start it: the files the image keeps, the Dockerfile's ENV, the task definition's
    environment as registered; it must load its settings and poll the deployed task queue."""
    import asyncio
    import os
    import shutil
    import signal
    import sys
    import time

    from required_tools import temporal_cli_path
    from temporalio.testing import WorkflowEnvironment
    from test_worker_image import DOCKERFILE, _patterns, ignored, instructions

    from cli_commands.temporal_client import workflow_pollers

    definition = client("ecs", "us-east-1").describe_task_definition(
        taskDefinition=deployed["worker_service"]["task_definition_arn"])["taskDefinition"]
    assert definition["taskRoleArn"] == deployed["worker_role_arn"]
    container = definition["containerDefinitions"][0]
    assert container["image"] == WORKER_IMAGE and container.get("secrets", []) == []

    app = tmp_path / "app"
    root = README.parent
    patterns = _patterns()
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not ignored(relative, patterns):
            (app / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, app / relative)
    image_env = {}
    for keyword, arguments in instructions(DOCKERFILE.read_text()):
        if keyword == "ENV":
            image_env.update(pair.split("=", 1) for pair in arguments.split())
    image_env["GCL_TERRAFORM_DIR"] = image_env["GCL_TERRAFORM_DIR"].replace("/app", str(app))
    task_env = {pair["name"]: pair["value"] for pair in container["environment"]}

    async def run() -> None:
        async with await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path()) as env:
            address = env.client.service_client.config.target_host
            credentials = {k: v for k, v in os.environ.items() if k.startswith("AWS_") or k in ("PATH", "HOME")}
            environment = {**credentials, **image_env, **task_env, "TEMPORAL_ADDRESS": address,
                           "AWS_ENDPOINT_URL": local_aws.url}
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "worker.py", cwd=app, env=environment,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            try:
                deadline = time.monotonic() + 90
                while await workflow_pollers(env.client, WORKER_QUEUE) == 0:
                    assert worker.returncode is None, (await worker.stderr.read()).decode()
                    assert time.monotonic() < deadline, "the deployed worker never polled"
                    await asyncio.sleep(0.5)
            finally:
                worker.send_signal(signal.SIGTERM)
                stderr = (await asyncio.wait_for(worker.communicate(), timeout=60))[1].decode()
            assert worker.returncode == 0, stderr
            assert f"for regions {', '.join(REGIONS)}" in stderr, stderr

    asyncio.run(run())


def _emptying_command(bucket: str) -> str:
    """The README's step that empties the management bucket (every version and delete marker)."""
    text = README.read_text()
    line = next(line for line in text.splitlines() if "object_versions.delete()" in line)
    return line.strip().replace("MANAGEMENT_BUCKET", bucket)


def test_destroy_leaves_nothing_a_second_apply_would_collide_with(deployment, deployed):
    """Runs after every other check of this file: it destroys the package's stack and applies it again."""
    import sys

    assert left_behind(PREFIX), "the apply made nothing?"
    bucket = deployed["management_bucket"]
    client("s3", "us-east-1").put_object(Bucket=bucket, Key="assets/keep.png", Body=b"dataset")

    refused = deployment.run("destroy")
    assert refused.returncode != 0, "the management bucket must not be force-destroyed with datasets in it"
    assert "BucketNotEmpty" in refused.stdout + refused.stderr
    command = _emptying_command(bucket)
    assert command.startswith("python -c "), command
    emptied = subprocess.run([sys.executable, "-c", command.split(" ", 2)[2].strip("\"'")], check=False,
                             capture_output=True, text=True, timeout=120)
    assert emptied.returncode == 0, emptied.stderr

    done = deployment.run("destroy")
    assert done.returncode == 0, f"destroy failed:\n{done.stdout[-6000:]}\n{done.stderr}"
    assert left_behind(PREFIX) == {}, "left behind by terraform destroy"
    again = deployment.run("apply")
    assert again.returncode == 0, f"the second apply collided:\n{again.stdout[-6000:]}\n{again.stderr}"
    renamed = {name for name, value in deployment.outputs().items() if value != deployed.get(name)}
    assert renamed <= {"worker_service"}, f"the identity tests run on this stack with the same names: {renamed}"


def test_every_log_group_a_service_would_create_is_terraforms_and_outlives_its_writer():
    """Lambda creates /aws/lambda/NAME on first invocation and ECS's awslogs driver can create its group: if either
    did it outside Terraform, the next apply would fail with ResourceAlreadyExistsException. So Terraform makes
    both groups, the writers depend on them (destroyed first), and awslogs never creates a group."""
    import hcl2

    def resource(path: Path, kind: str, name: str) -> dict:
        blocks = hcl2.loads(path.read_text())["resource"]
        return next(body[f'"{name}"'] for block in blocks for key, body in block.items() if key == f'"{kind}"')

    terraform = Path(__file__).resolve().parents[2] / "terraform"
    inference = terraform / "modules/region/inference.tf"
    assert "${aws_cloudwatch_log_group.inference}" in resource(inference, "aws_lambda_function", "inference")["depends_on"]
    assert resource(inference, "aws_cloudwatch_log_group", "inference")["name"] == "${local.log_group_name}"
    assert 'log_group_name = "/aws/lambda/${local.function_name}"' in inference.read_text()
    worker = terraform / "modules/worker_service/main.tf"
    assert "awslogs-create-group" not in worker.read_text()
    assert "${aws_cloudwatch_log_group.worker}" in resource(worker, "aws_ecs_service", "worker")["depends_on"]
