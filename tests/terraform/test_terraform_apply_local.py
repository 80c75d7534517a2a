"""`terraform apply` of the regional and management parts (no Global Accelerator) against the local AWS
endpoint, then boto3 checks that what was declared exists: buckets, replication, topic, Lambda, ALB."""

import json

import boto3
import pytest
from terraform_support import ACCOUNT, requires_terraform
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
