"""The bootstrap makes the local account look like `terraform apply` made it, and is idempotent."""

import boto3
import pytest

from configuration.resources import derive_resources
from configuration.settings import load_settings
from local_stack.bootstrap import bootstrap

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]


@pytest.fixture
def small_settings(tmp_path):
    tfvars = tmp_path / "small.tfvars"
    tfvars.write_text('regions = ["us-east-1", "eu-west-1", "ap-southeast-1"]\nmanagement_region = "us-east-1"\n')
    return load_settings(tfvars=tfvars)


def test_bootstrap_creates_buckets_replication_and_topic(emulator, small_settings):
    resources = derive_resources(small_settings, "123456789012")
    report = bootstrap(small_settings, resources)
    assert len(report.buckets_created) == 1 + 2 * len(REGIONS)
    mgmt = boto3.client("s3", region_name="us-east-1")
    assert mgmt.get_bucket_versioning(Bucket=resources.management_bucket)["Status"] == "Enabled"
    for region in REGIONS:
        s3 = boto3.client("s3", region_name=region)
        for bucket in (resources.training_buckets[region], resources.output_buckets[region]):
            assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = mgmt.get_bucket_replication(Bucket=resources.management_bucket)["ReplicationConfiguration"]["Rules"]
    assert sorted(rule["Destination"]["Bucket"] for rule in rules) == sorted(
        f"arn:aws:s3:::{resources.training_buckets[r]}" for r in REGIONS)
    assert len({rule["Priority"] for rule in rules}) == len(REGIONS)
    topics = boto3.client("sns", region_name="us-east-1").list_topics()["Topics"]
    assert {"TopicArn": resources.sns_topic_arn} in topics


def test_bootstrap_twice_changes_nothing_and_replication_copies(emulator, small_settings):
    resources = derive_resources(small_settings, "123456789012")
    bootstrap(small_settings, resources)
    second = bootstrap(small_settings, resources)
    assert second.buckets_created == []
    assert len(second.buckets_present) == 1 + 2 * len(REGIONS)
    mgmt = boto3.client("s3", region_name="us-east-1")
    mgmt.put_object(Bucket=resources.management_bucket, Key="datasets/x/a.txt", Body=b"hello")
    assert emulator.flush_replication()
    for region in REGIONS:
        body = boto3.client("s3", region_name=region).get_object(
            Bucket=resources.training_buckets[region], Key="datasets/x/a.txt")["Body"].read()
        assert body == b"hello"
