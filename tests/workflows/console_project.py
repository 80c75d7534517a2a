"""A project made the way the Custom Labels console makes one, with plain boto3 against the local endpoint.

Images and manifests in a bucket of the user's (versioned, so any write to it would show), CreateProject,
CreateDataset TRAIN and TEST from the manifests, CreateProjectVersion from the datasets (no TrainingData), then
DescribeDataset / DescribeProjectVersions until settled. `fingerprint()` is everything adopt must leave as it was.
Shared by the activity, workflow and reliability tests of `adopt`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import boto3

from local_stack.sample_dataset import encode_png
from local_stack.sample_dataset import manifest_line as ground_truth_line

LABELS = ("car", "cone")


def png(shade: int, size: int = 64) -> bytes:
    return encode_png([bytes([shade % 256, (shade * 7) % 256, (shade * 13) % 256]) * size] * size, size, level=6)


@dataclass
class ConsoleProject:
    region: str
    project: str
    bucket: str
    version: str = "v1"
    train_images: int = 6
    test_images: int = 4
    prefix: str = "console"
    endpoint_url: str | None = None  # default: AWS_ENDPOINT_URL
    project_arn: str = ""
    train_keys: list[str] = field(default_factory=list)
    test_keys: list[str] = field(default_factory=list)

    def client(self, service: str):
        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url)

    # ------------------------------------------------------------------ creation

    def create(self, settle_seconds: float = 120.0) -> ConsoleProject:
        s3 = self.client("s3")
        extra = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        s3.create_bucket(Bucket=self.bucket, **extra)
        s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        self.train_keys = self._images("train", self.train_images, 0)
        self.test_keys = self._images("test", self.test_images, 100)
        rek = self.client("rekognition")
        self.project_arn = rek.create_project(ProjectName=self.project)["ProjectArn"]
        datasets = [rek.create_dataset(ProjectArn=self.project_arn, DatasetType=kind, DatasetSource={
            "GroundTruthManifest": {"S3Object": {"Bucket": self.bucket, "Name": f"{self.prefix}/{kind.lower()}.manifest"}}
        })["DatasetArn"] for kind in ("TRAIN", "TEST")]
        for arn in datasets:
            status = self._settle(lambda a=arn: rek.describe_dataset(DatasetArn=a)["DatasetDescription"]["Status"],
                                  "_IN_PROGRESS", settle_seconds)
            assert status == "CREATE_COMPLETE", f"{arn}: {status}"
        rek.create_project_version(ProjectArn=self.project_arn, VersionName=self.version, OutputConfig={
            "S3Bucket": self.bucket, "S3KeyPrefix": f"{self.prefix}-output/{self.version}/"})
        status = self._settle(lambda: self.describe_version()["Status"], "TRAINING_IN_PROGRESS", settle_seconds)
        assert status == "TRAINING_COMPLETED", f"source training ended {status}: {self.describe_version()}"
        return self

    def _images(self, purpose: str, count: int, shade: int) -> list[str]:
        s3 = self.client("s3")
        keys, lines = [], []
        for index in range(count):
            label = LABELS[index % len(LABELS)]
            key = f"{self.prefix}/images/{purpose}-{label}-{index:03d}.png"
            s3.put_object(Bucket=self.bucket, Key=key, Body=png(shade + index), ContentType="image/png")
            keys.append(key)
            lines.append(ground_truth_line(f"s3://{self.bucket}/{key}", label))
        s3.put_object(Bucket=self.bucket, Key=f"{self.prefix}/{purpose}.manifest", Body=("\n".join(lines) + "\n").encode())
        return keys

    @staticmethod
    def _settle(read, transitional: str, seconds: float) -> str:
        """Poll until the status leaves its transitional state (each call also advances the emulator in calls mode)."""
        deadline = time.monotonic() + seconds
        while True:
            status = read()
            if not status.endswith(transitional) or time.monotonic() > deadline:
                return status
            time.sleep(0.05)

    def delete(self, settle_seconds: float = 120.0) -> None:
        """Remove the project as the console would: its version, then its datasets, then the project."""
        rek = self.client("rekognition")
        rek.delete_project_version(ProjectVersionArn=self.describe_version()["ProjectVersionArn"])
        self._settle(lambda: "GONE" if not rek.describe_project_versions(ProjectArn=self.project_arn)[
            "ProjectVersionDescriptions"] else "DELETING", "DELETING", settle_seconds)
        project = rek.describe_projects(ProjectNames=[self.project])["ProjectDescriptions"][0]
        for dataset in project["Datasets"]:
            rek.delete_dataset(DatasetArn=dataset["DatasetArn"])
        self._settle(lambda: "GONE" if not rek.describe_projects(ProjectNames=[self.project])["ProjectDescriptions"][
            0]["Datasets"] else "DELETING", "DELETING", settle_seconds)
        rek.delete_project(ProjectArn=self.project_arn)

    def describe_version(self) -> dict:
        rek = self.client("rekognition")
        return rek.describe_project_versions(ProjectArn=self.project_arn,
                                             VersionNames=[self.version])["ProjectVersionDescriptions"][0]

    # ------------------------------------------------------------------ what must not change

    def dataset_entries(self, kind: str) -> list[str]:
        rek = self.client("rekognition")
        project = rek.describe_projects(ProjectNames=[self.project])["ProjectDescriptions"][0]
        arn = next(d["DatasetArn"] for d in project["Datasets"] if d["DatasetType"] == kind)
        pages = rek.get_paginator("list_dataset_entries").paginate(DatasetArn=arn)
        return [entry for page in pages for entry in page["DatasetEntries"]]

    def image_set(self, kind: str) -> set[str]:
        """The file names of a dataset's images (the same in the source and in the copies)."""
        return {json.loads(entry)["source-ref"].rsplit("/", 1)[1] for entry in self.dataset_entries(kind)}

    def fingerprint(self) -> dict:
        """Every object version and ETag of the user's bucket, the datasets' entries and the project's versions."""
        s3 = self.client("s3")
        objects = sorted((v["Key"], v["VersionId"], v["ETag"], v["IsLatest"])
                         for page in s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket)
                         for v in page.get("Versions", []))
        markers = [m["Key"] for page in s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket)
                   for m in page.get("DeleteMarkers", [])]
        rek = self.client("rekognition")
        project = rek.describe_projects(ProjectNames=[self.project])["ProjectDescriptions"][0]
        versions = sorted((v["ProjectVersionArn"], v["Status"]) for v in rek.describe_project_versions(
            ProjectArn=self.project_arn)["ProjectVersionDescriptions"])
        datasets = sorted((d["DatasetType"], d["DatasetArn"], d["Status"]) for d in project["Datasets"])
        return {"objects": objects, "delete_markers": markers, "versions": versions, "datasets": datasets,
                "train": self.dataset_entries("TRAIN"), "test": self.dataset_entries("TEST")}
