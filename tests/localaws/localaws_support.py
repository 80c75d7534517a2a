"""Test helpers: botocore output-shape validation, tiny real PNG/JPEG images, dataset seeding."""

from __future__ import annotations

import datetime
import json
import struct
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from local_stack.sample_dataset import encode_png

ACCOUNT = "123456789012"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
_MODEL = botocore.session.get_session().get_service_model("rekognition")


# --- shapes -------------------------------------------------------------------------------------------
_PLAIN_TYPES = {"boolean": bool, "timestamp": datetime.datetime, "blob": (bytes, bytearray)}


def shape_errors(shape: Any, value: Any, path: str = "$") -> list[str]:
    """Every way `value` (a parsed boto3 response) breaks the botocore shape: required, types, enums, extras."""
    kind = shape.type_name
    errors: list[str] = []
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object, got {type(value).__name__}"]
        for name in shape.required_members:
            if name not in value:
                errors.append(f"{path}.{name}: required member missing")
        for name, member_value in value.items():
            if name == "ResponseMetadata" and path == "$":
                continue
            if name not in shape.members:
                errors.append(f"{path}.{name}: not a member of {shape.name}")
                continue
            errors.extend(shape_errors(shape.members[name], member_value, f"{path}.{name}"))
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        for index, item in enumerate(value):
            errors.extend(shape_errors(shape.member, item, f"{path}[{index}]"))
    elif kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map"]
        for key, item in value.items():
            errors.extend(shape_errors(shape.value, item, f"{path}[{key!r}]"))
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected string")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} not in enum {shape.enum}")
        else:
            limits = shape.metadata
            if "min" in limits and len(value) < limits["min"]:
                errors.append(f"{path}: shorter than {limits['min']}")
            if "max" in limits and len(value) > limits["max"]:
                errors.append(f"{path}: longer than {limits['max']}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected integer")
        elif "min" in shape.metadata and value < shape.metadata["min"]:
            errors.append(f"{path}: below {shape.metadata['min']}")
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected number")
        else:
            lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                errors.append(f"{path}: {value} outside [{lo}, {hi}]")
    elif kind in _PLAIN_TYPES and not isinstance(value, _PLAIN_TYPES[kind]):
        errors.append(f"{path}: expected {kind}")
    return errors


def assert_valid_output(operation: str, response: dict[str, Any]) -> None:
    shape = _MODEL.operation_model(operation).output_shape
    errors = shape_errors(shape, response)
    assert not errors, f"{operation} response does not match botocore's shape:\n" + "\n".join(errors)


# --- images --------------------------------------------------------------------------------------------
def png(width: int = 64, height: int = 64, seed: int = 0) -> bytes:
    """A valid RGB PNG; `seed` changes the pixels (and so the detected labels)."""
    return encode_png([bytes([seed % 256, (seed * 7) % 256, (seed * 13) % 256]) * width] * height, width, level=6)


def jpeg_header(width: int = 64, height: int = 64) -> bytes:
    """The start of a baseline JPEG (SOI, APP0, SOF0): enough for format and dimension checks."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


# --- clients and data ----------------------------------------------------------------------------------
def client(service: str, region: str, url: str, **kwargs: Any):
    return boto3.client(service, region_name=region, endpoint_url=url, config=kwargs.pop("config", NO_RETRY), **kwargs)


def create_bucket(url: str, region: str, name: str, versioned: bool = False) -> None:
    s3 = client("s3", region, url)
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **extra)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


# An AutoCreate split needs images of every label on both sides (training_rules.MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT).
IMAGES_PER_CLASS = 2


def image_key(index: int, copy: int = 0) -> str:
    return f"images/{index}.png" if copy == 0 else f"images/{index}-{copy}.png"


def classification_manifest(bucket: str, classes: list[str]) -> str:
    lines = []
    for index, name in enumerate(classes):
        for copy in range(IMAGES_PER_CLASS):
            lines.append(
                {
                    "source-ref": f"s3://{bucket}/{image_key(index, copy)}",
                    "label": index,
                    "label-metadata": {
                        "class-name": name,
                        "confidence": 1,
                        "type": "groundtruth/image-classification",
                        "human-annotated": "yes",
                    },
                }
            )
    return "\n".join(json.dumps(line) for line in lines) + "\n"


def detection_manifest(bucket: str, classes: list[str]) -> str:
    lines = []
    for copy in range(IMAGES_PER_CLASS):
        lines.append({
            "source-ref": f"s3://{bucket}/{image_key(0, copy)}",
            "boxes": {
                "image_size": [{"width": 640, "height": 480, "depth": 3}],
                "annotations": [
                    {"class_id": index, "left": 10 * index, "top": 10, "width": 50, "height": 40}
                    for index in range(len(classes))
                ],
            },
            "boxes-metadata": {
                "class-map": {str(index): name for index, name in enumerate(classes)},
                "objects": [{"confidence": 1} for _ in classes],
                "type": "groundtruth/object-detection",
                "human-annotated": "yes",
            },
        })
    return "".join(json.dumps(line) + "\n" for line in lines)


def seed_dataset(
    url: str, region: str, classes: list[str] = ("car", "truck"), detection: bool = False, manifest: str | None = None
) -> dict[str, Any]:
    """Training and output buckets in `region` with images and a manifest; returns CreateProjectVersion args."""
    train, output = f"train-{region}", f"output-{region}"
    create_bucket(url, region, train)
    create_bucket(url, region, output)
    s3 = client("s3", region, url)
    for index in range(len(classes)):
        for copy in range(IMAGES_PER_CLASS):
            s3.put_object(Bucket=train, Key=image_key(index, copy), Body=png(seed=index * IMAGES_PER_CLASS + copy))
    if manifest is None:
        manifest = (detection_manifest if detection else classification_manifest)(train, list(classes))
    s3.put_object(Bucket=train, Key="datasets/output.manifest", Body=manifest.encode())
    return {
        "OutputConfig": {"S3Bucket": output, "S3KeyPrefix": "proj/v1/"},
        "TrainingData": {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": train, "Name": "datasets/output.manifest"}}}]},
        "TestingData": {"AutoCreate": True},
    }


# --- datasets ------------------------------------------------------------------------------------------
def manifest_source(bucket: str, key: str) -> dict[str, Any]:
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}


def settled_dataset(rek, arn: str, attempts: int = 20) -> dict[str, Any]:
    """DescribeDataset until the dataset leaves its *_IN_PROGRESS state (calls mode: a call or two)."""
    for _ in range(attempts):
        description = rek.describe_dataset(DatasetArn=arn)["DatasetDescription"]
        if not description["Status"].endswith("_IN_PROGRESS"):
            return description
    raise AssertionError(f"{arn} still {description['Status']} after {attempts} DescribeDataset calls")


def settled_version(rek, project_arn: str, attempts: int = 20) -> dict[str, Any]:
    """DescribeProjectVersions until the newest version has finished training."""
    for _ in range(attempts):
        description = rek.describe_project_versions(ProjectArn=project_arn)["ProjectVersionDescriptions"][0]
        if description["Status"] != "TRAINING_IN_PROGRESS":
            return description
    raise AssertionError(f"training in {project_arn} still in progress after {attempts} calls")
