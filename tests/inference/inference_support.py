"""Helpers for the inference tests: models made RUNNING in the emulator the way AWS would get there."""

import json

import boto3
from inference_samples import make_png

PROJECT = "AWSDeepRacer"
VERSION = "first"


class ManualClock:
    """An injectable monotonic clock, so cache expiry is tested without waiting."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Models:
    """Trains and starts/stops versions through the real Rekognition API; the emulator's manual mode and
    /_emulator/advance complete the transitions."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.arns: dict[tuple[str, str, str], str] = {}

    def rekognition(self, region):
        return boto3.client("rekognition", region_name=region)

    def deploy(
        self, region: str, project: str = PROJECT, version: str = VERSION, running: bool = True
    ) -> str:
        s3 = boto3.client("s3", region_name=region)
        bucket = f"train-{region}"
        existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        if bucket not in existing:
            config = (
                {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            )
            s3.create_bucket(Bucket=bucket, **config)
            lines = []
            # Two images of each label: an AutoCreate split needs one on each side (docs/TRAINING_RULES.md).
            for index, label in enumerate(["car", "track", "cone"] * 2):
                key = f"images/{label}-{index}.png"
                s3.put_object(Bucket=bucket, Key=key, Body=make_png(seed=index))
                metadata = {"class-name": label, "type": "groundtruth/image-classification"}
                lines.append(
                    json.dumps(
                        {"source-ref": f"s3://{bucket}/{key}", "label": index, "label-metadata": metadata}
                    )
                )
            s3.put_object(Bucket=bucket, Key="manifests/output.manifest", Body="\n".join(lines))
        client = self.rekognition(region)
        found = client.describe_projects(ProjectNames=[project])["ProjectDescriptions"]
        project_arn = (
            found[0]["ProjectArn"] if found else client.create_project(ProjectName=project)["ProjectArn"]
        )
        asset = {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": "manifests/output.manifest"}}}
        arn = client.create_project_version(
            ProjectArn=project_arn,
            VersionName=version,
            OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": f"output/{version}/"},
            TrainingData={"Assets": [asset]},
            TestingData={"AutoCreate": True},
        )["ProjectVersionArn"]
        self.arns[(region, project, version)] = arn
        self.emulator.advance(region=region, project=project, version=version)
        if running:
            self.start(region, project, version)
        return arn

    def start(self, region: str, project: str = PROJECT, version: str = VERSION) -> None:
        arn = self.arns[(region, project, version)]
        self.rekognition(region).start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
        self.emulator.advance(region=region, project=project, version=version)
        assert self.status(region, project, version) == "RUNNING"

    def stop(self, region: str, project: str = PROJECT, version: str = VERSION) -> None:
        arn = self.arns[(region, project, version)]
        self.rekognition(region).stop_project_version(ProjectVersionArn=arn)
        self.emulator.advance(region=region, project=project, version=version)
        assert self.status(region, project, version) == "STOPPED"

    def delete(self, region: str, project: str = PROJECT, version: str = VERSION) -> None:
        arn = self.arns.pop((region, project, version))
        self.rekognition(region).delete_project_version(ProjectVersionArn=arn)
        self.emulator.advance(region=region, project=project, version=version)

    def delete_project(self, region: str, project: str = PROJECT) -> None:
        client = self.rekognition(region)
        arn = client.describe_projects(ProjectNames=[project])["ProjectDescriptions"][0]["ProjectArn"]
        client.delete_project(ProjectArn=arn)
        self.emulator.advance(region=region, project=project)
        assert client.describe_projects(ProjectNames=[project])["ProjectDescriptions"] == []

    def status(self, region: str, project: str = PROJECT, version: str = VERSION) -> str:
        client = self.rekognition(region)
        project_arn = client.describe_projects(ProjectNames=[project])["ProjectDescriptions"][0]["ProjectArn"]
        found = client.describe_project_versions(ProjectArn=project_arn, VersionNames=[version])
        return found["ProjectVersionDescriptions"][0]["Status"]


def calls_of(emulator, region: str, operation: str) -> int:
    return emulator.calls().get(f"{region}/{operation}", 0)
