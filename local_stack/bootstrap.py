"""Create in the local AWS account what `terraform apply` creates in a real one (idempotent).

Buckets with versioning (management, regional training and output), the management bucket's replication
configuration with one rule per regional training bucket, and the SNS topic. Names follow the shared naming rule.
"""

import json
from dataclasses import dataclass, field

from configuration import names
from configuration.resources import Resources
from configuration.settings import Settings

_ALREADY_MINE = ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")


@dataclass
class BootstrapReport:
    buckets_created: list[str] = field(default_factory=list)
    buckets_present: list[str] = field(default_factory=list)
    replication_rules: int = 0
    topic_arn: str = ""


def replication_role_name(prefix: str) -> str:
    return f"{prefix}-replication"


def _ensure_bucket(s3, bucket: str, region: str, report: BootstrapReport) -> None:
    from botocore.exceptions import ClientError

    kwargs = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.head_bucket(Bucket=bucket)
        report.buckets_present.append(bucket)
    except ClientError:
        try:
            s3.create_bucket(**kwargs)
            report.buckets_created.append(bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in _ALREADY_MINE:
                raise
            report.buckets_present.append(bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def _ensure_role(iam, role_name: str) -> str:
    from botocore.exceptions import ClientError

    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    try:
        return iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
    return iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def replication_rules(settings: Settings, resources: Resources) -> list[dict]:
    """One rule per regional training bucket, unique priorities, whole bucket, delete markers replicated."""
    return [
        {
            "ID": f"to-{region}",
            "Priority": index + 1,
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Enabled"},
            "Destination": {"Bucket": f"arn:aws:s3:::{resources.training_buckets[region]}"},
        }
        for index, region in enumerate(settings.regions)
    ]


def bootstrap(settings: Settings, resources: Resources) -> BootstrapReport:
    """Make the account match Terraform's shape; running it twice changes nothing."""
    import boto3

    report = BootstrapReport()
    mgmt_s3 = boto3.client("s3", region_name=settings.management_region)
    _ensure_bucket(mgmt_s3, resources.management_bucket, settings.management_region, report)
    for region in settings.regions:
        regional_s3 = boto3.client("s3", region_name=region)
        _ensure_bucket(regional_s3, resources.training_buckets[region], region, report)
        _ensure_bucket(regional_s3, resources.output_buckets[region], region, report)
    role_arn = _ensure_role(boto3.client("iam", region_name=settings.management_region),
                            replication_role_name(settings.name_prefix))
    rules = replication_rules(settings, resources)
    mgmt_s3.put_bucket_replication(
        Bucket=resources.management_bucket,
        ReplicationConfiguration={"Role": role_arn, "Rules": rules},
    )
    report.replication_rules = len(rules)
    sns = boto3.client("sns", region_name=settings.management_region)
    report.topic_arn = sns.create_topic(Name=names.topic_name(settings.name_prefix))["TopicArn"]
    return report
