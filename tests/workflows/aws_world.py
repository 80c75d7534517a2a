"""A small AWS "account" on the local endpoint for workflow tests: buckets, topic, dataset, settings.

Everything is created with plain boto3 against AWS_ENDPOINT_URL (the `local_aws` fixture), exactly like the
names Terraform would give (configuration.names). SNS messages are captured through an SQS subscription.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3

from configuration import names
from configuration.resources import Resources
from configuration.settings import Settings
from local_stack.sample_dataset import encode_png
from local_stack.sample_dataset import manifest_line as ground_truth_line

ACCOUNT = "123456789012"
PREFIX = "gcl-test"
MANAGEMENT_REGION = "us-east-1"
MANIFEST_KEY = "assets/deepracer/output.manifest"
LABELS = ("car", "cone")


def png(width: int = 64, height: int = 64, shade: int = 128) -> bytes:
    """A valid grey PNG (the emulator checks image formats)."""
    return encode_png([bytes([shade, shade, shade]) * width] * height, width, level=6)


def manifest_line(bucket: str, key: str, label: str) -> str:
    return ground_truth_line(f"s3://{bucket}/{key}", label)


@dataclass
class World:
    regions: tuple[str, ...]
    poll_interval_seconds: int = 300
    poll_policy: str = "adaptive"  # the production default (terraform/variables.tf)
    max_training_hours: float = 24
    settings: Settings = field(init=False)
    resources: Resources = field(init=False)
    queue_url: str | None = None

    def __post_init__(self):
        self.settings = Settings(
            regions=self.regions, management_region=MANAGEMENT_REGION, name_prefix=PREFIX, project_name="AWSDeepRacer",
            default_version_name="first", max_training_hours=self.max_training_hours, min_inference_units=1,
            max_inference_units=None, poll_interval_seconds=self.poll_interval_seconds, poll_policy=self.poll_policy, inference_ttl_hours=0,
            task_queue="unused",
        )
        self.resources = Resources(
            account_id=ACCOUNT,
            management_bucket=names.management_bucket_name(PREFIX, ACCOUNT, MANAGEMENT_REGION),
            training_buckets={r: names.training_bucket_name(PREFIX, ACCOUNT, r) for r in self.regions},
            output_buckets={r: names.output_bucket_name(PREFIX, ACCOUNT, r) for r in self.regions},
            sns_topic_arn=names.topic_arn(PREFIX, ACCOUNT, MANAGEMENT_REGION),
        )

    @staticmethod
    def s3(region: str):
        return boto3.client("s3", region_name=region)

    def create(self) -> World:
        self._bucket(self.resources.management_bucket, MANAGEMENT_REGION)
        for region in self.regions:
            self._bucket(self.resources.training_buckets[region], region)
            self._bucket(self.resources.output_buckets[region], region)
        sns = boto3.client("sns", region_name=MANAGEMENT_REGION)
        topic = sns.create_topic(Name=names.topic_name(PREFIX))["TopicArn"]
        sqs = boto3.client("sqs", region_name=MANAGEMENT_REGION)
        self.queue_url = sqs.create_queue(QueueName=f"{PREFIX}-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        return self

    def _bucket(self, bucket: str, region: str) -> None:
        kwargs = {"Bucket": bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.s3(region).create_bucket(**kwargs)

    def dataset(self, images: int = 4) -> list[tuple[str, bytes]]:
        """The objects of a dataset in the management bucket: images then the manifest (seed layout)."""
        objects = []
        lines = []
        for index in range(images):
            label = LABELS[index % len(LABELS)]
            key = f"assets/deepracer/images/{label}-{index:02d}.png"
            objects.append((key, png(shade=(40 + index * 20) % 256)))
            lines.append(manifest_line(self.resources.management_bucket, key, label))
        objects.append((MANIFEST_KEY, ("\n".join(lines) + "\n").encode()))
        return objects

    def upload(self, images: int = 4, regions: tuple[str, ...] | None = None, skip: int = 0) -> list[tuple[str, bytes]]:
        """Put the dataset in the management bucket and "replicate" it to the given regions' training buckets.

        `skip` leaves out that many images from the replicas (replication still in progress).
        """
        objects = self.dataset(images)
        for key, body in objects:
            self.s3(MANAGEMENT_REGION).put_object(Bucket=self.resources.management_bucket, Key=key, Body=body)
        for region in self.regions if regions is None else regions:
            self.replicate(region, objects[skip:])
        return objects

    def replicate(self, region: str, objects: list[tuple[str, bytes]]) -> None:
        for key, body in objects:
            self.s3(region).put_object(Bucket=self.resources.training_buckets[region], Key=key, Body=body)

    def messages(self) -> list[str]:
        sqs = boto3.client("sqs", region_name=MANAGEMENT_REGION)
        found = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(message["Body"])
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
