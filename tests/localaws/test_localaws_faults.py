"""Injected faults: seeded throttling, regional outages for every service, failed trainings, SNS down."""

import boto3
import pytest
from localaws_support import client, seed_dataset


def test_throttling_is_seeded_and_limited_to_listed_operations(local_aws, emulator, rekognition):
    rek = rekognition()
    rek.create_project(ProjectName="throttled")

    def outcomes():
        emulator.configure({"faults": {"throttle_rate": 0.5, "throttle_operations": ["DescribeProjects"], "throttle_seed": 7}})
        results = []
        for _ in range(20):
            try:
                rek.describe_projects()
                results.append("ok")
            except rek.exceptions.ThrottlingException:
                results.append("throttled")
        return results

    first, second = outcomes(), outcomes()
    assert first == second, "the same seed gives the same sequence"
    assert 0 < first.count("throttled") < 20
    emulator.configure(
        {"faults": {"throttle_rate": 1.0, "throttle_operations": [], "throttle_error": "ProvisionedThroughputExceededException"}}
    )
    with pytest.raises(rek.exceptions.ProvisionedThroughputExceededException):
        rek.describe_projects()
    with pytest.raises(rek.exceptions.ProvisionedThroughputExceededException):
        rek.create_project(ProjectName="other")


def test_throttling_only_listed_operations(local_aws, emulator, rekognition):
    rek = rekognition()
    emulator.configure({"faults": {"throttle_rate": 1.0, "throttle_operations": ["CreateProject"]}})
    with pytest.raises(rek.exceptions.ThrottlingException):
        rek.create_project(ProjectName="p")
    assert rek.describe_projects()["ProjectDescriptions"] == []


def test_listed_operations_of_other_services_are_throttled_with_their_own_code(local_aws, emulator):
    sns = client("sns", "us-east-1", local_aws.url)
    topic = sns.create_topic(Name="t")["TopicArn"]
    emulator.configure({"faults": {"throttle_rate": 1.0, "throttle_operations": ["Publish"]}})
    with pytest.raises(sns.exceptions.ClientError) as error:
        sns.publish(TopicArn=topic, Message="m")
    assert error.value.response["Error"]["Code"] == "Throttling"
    sns.list_topics()  # not listed


def test_boto3_retries_through_throttling(local_aws, emulator):
    from botocore.config import Config

    rek = boto3.client(
        "rekognition",
        region_name="us-east-1",
        endpoint_url=local_aws.url,
        config=Config(retries={"max_attempts": 10, "mode": "standard"}),
    )
    # boto3 treats the injected ThrottlingException as retryable, like the real one.
    emulator.configure({"faults": {"throttle_rate": 0.3, "throttle_seed": 3}})
    for index in range(3):
        rek.create_project(ProjectName=f"retried-{index}")
    calls = emulator.calls()
    assert calls["us-east-1/CreateProject"] > 3


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("s3", lambda c: c.list_buckets()),
        ("sns", lambda c: c.list_topics()),
        ("rekognition", lambda c: c.describe_projects()),
        ("sts", lambda c: c.get_caller_identity()),
        ("iam", lambda c: c.list_roles()),
        ("lambda", lambda c: c.list_functions()),
        ("ec2", lambda c: c.describe_vpcs()),
        ("elbv2", lambda c: c.describe_load_balancers()),
    ],
)
def test_down_region_fails_every_service(local_aws, emulator, service, call):
    emulator.configure({"faults": {"down_regions": ["eu-west-1"]}})
    down = client(service, "eu-west-1", local_aws.url)
    with pytest.raises(down.exceptions.ClientError) as error:
        call(down)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert error.value.response["Error"]["Code"] in ("ServiceUnavailable", "ServiceUnavailableException")
    call(client(service, "us-east-1", local_aws.url))  # other regions keep working
    emulator.configure({"faults": {"down_regions": []}})
    call(down)


def test_fail_training_by_region_and_version(local_aws, emulator, rekognition):
    emulator.configure(
        {"timing": {"mode": "manual"}, "faults": {"fail_training": [{"region": "eu-west-1", "version": "bad"}]}}
    )
    results = {}
    for region in ("us-east-1", "eu-west-1"):
        rek = rekognition(region)
        args = seed_dataset(local_aws.url, region)
        project = rek.create_project(ProjectName="faulty")["ProjectArn"]
        for name in ("good", "bad"):
            rek.create_project_version(ProjectArn=project, VersionName=name, **args)
        emulator.advance(region=region)
        for description in rek.describe_project_versions(ProjectArn=project)["ProjectVersionDescriptions"]:
            results[(region, description["ProjectVersionArn"].split("/")[-2])] = description["Status"]
    assert results == {
        ("us-east-1", "good"): "TRAINING_COMPLETED",
        ("us-east-1", "bad"): "TRAINING_COMPLETED",
        ("eu-west-1", "good"): "TRAINING_COMPLETED",
        ("eu-west-1", "bad"): "TRAINING_FAILED",
    }


def test_sns_down(local_aws, emulator):
    sns = client("sns", "us-east-1", local_aws.url)
    topic = sns.create_topic(Name="notifications")["TopicArn"]
    emulator.configure({"faults": {"sns_down": True}})
    with pytest.raises(sns.exceptions.ClientError) as error:
        sns.publish(TopicArn=topic, Message="hello")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    client("s3", "us-east-1", local_aws.url).list_buckets()  # other services unaffected
    emulator.configure({"faults": {"sns_down": False}})
    assert sns.publish(TopicArn=topic, Message="hello")["MessageId"]


def test_call_counters_per_region_and_operation(local_aws, emulator, rekognition):
    rekognition("us-east-1").describe_projects()
    rekognition("us-east-1").describe_projects()
    rekognition("ap-northeast-1").describe_projects()
    client("sns", "us-east-1", local_aws.url).list_topics()
    calls = emulator.calls()
    assert calls["us-east-1/DescribeProjects"] == 2
    assert calls["ap-northeast-1/DescribeProjects"] == 1
    assert calls["us-east-1/sns:ListTopics"] == 1
    emulator.reset_calls()
    assert emulator.calls() == {}


def test_reset_wipes_every_service_and_setting(local_aws, emulator, rekognition):
    rekognition().create_project(ProjectName="to-wipe")
    client("s3", "us-east-1", local_aws.url).create_bucket(Bucket="to-wipe")
    emulator.configure({"faults": {"sns_down": True}, "timing": {"mode": "manual"}})
    emulator.reset()
    assert rekognition().describe_projects()["ProjectDescriptions"] == []
    assert client("s3", "us-east-1", local_aws.url).list_buckets()["Buckets"] == []
    assert emulator.config()["faults"]["sns_down"] is False
    assert emulator.calls() == {"us-east-1/DescribeProjects": 1, "us-east-1/s3:GET": 1}
