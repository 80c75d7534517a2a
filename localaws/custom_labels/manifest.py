"""Reading a SageMaker Ground Truth manifest from the local S3 (moto's backend) the way training would.

Training fails (TRAINING_FAILED with a StatusMessage) when the manifest is missing, unreadable, malformed,
empty, or points at images that are not in S3 in the model's region. A good manifest yields the class names
and whether it is an object-detection dataset, which DetectCustomLabels uses to answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..iam.enforcer import check_caller_s3


class ManifestError(Exception):
    """Why training of a version fails; the text becomes the version's StatusMessage."""


@dataclass
class Dataset:
    classes: list[str] = field(default_factory=list)
    object_detection: bool = False
    images: int = 0


def _s3_backend(account_id: str):
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["aws"]


def read_object(account_id: str, bucket: str, key: str, version: str | None = None) -> tuple[bytes, str]:
    """Bytes and bucket region of an S3 object; ManifestError when it cannot be read."""
    from moto.s3.models import FakeKey

    backend = _s3_backend(account_id)
    s3_bucket = backend.buckets.get(bucket)
    if s3_bucket is None:
        raise ManifestError(f"Bucket s3://{bucket} does not exist.")
    denied = check_caller_s3("s3:GetObjectVersion" if version else "s3:GetObject", bucket, key)
    if denied:  # Custom Labels reads with the caller's S3 permissions ("Set up SDK permissions")
        raise ManifestError(denied)
    found = None
    for candidate in reversed(s3_bucket.keys.getlist(key, [])):
        if version is None or str(candidate.version_id) == version:
            found = candidate
            break
    if not isinstance(found, FakeKey):
        raise ManifestError(f"Object s3://{bucket}/{key} does not exist or is not readable.")
    return found.value, s3_bucket.region_name


def bucket_region(account_id: str, bucket: str) -> str | None:
    found = _s3_backend(account_id).buckets.get(bucket)
    return found.region_name if found is not None else None


def _split_s3_uri(uri: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ManifestError(f"source-ref {uri!r} is not an s3://bucket/key URI.")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def _labels_of_line(line: dict[str, Any], number: int) -> tuple[list[str], bool]:
    """Class names one JSON line declares, and whether it is an object-detection line."""
    names: list[str] = []
    detection = False
    attributes = [key[: -len("-metadata")] for key in line if key.endswith("-metadata")]
    if not attributes:
        raise ManifestError(f"Manifest line {number} has no label attribute (no '<attribute>-metadata' key).")
    for attribute in attributes:
        metadata = line[f"{attribute}-metadata"]
        if not isinstance(metadata, dict) or attribute not in line:
            raise ManifestError(f"Manifest line {number}: label attribute {attribute!r} is malformed.")
        value = line[attribute]
        kind = str(metadata.get("type", ""))
        if "object-detection" in kind or (isinstance(value, dict) and "annotations" in value):
            detection = True
            class_map = metadata.get("class-map")
            annotations = value.get("annotations") if isinstance(value, dict) else None
            if not isinstance(class_map, dict) or not isinstance(annotations, list):
                raise ManifestError(f"Manifest line {number}: object detection needs annotations and a class-map.")
            for box in annotations:
                if not isinstance(box, dict) or not {"class_id", "left", "top", "width", "height"} <= set(box):
                    raise ManifestError(f"Manifest line {number}: bounding box without class_id/left/top/width/height.")
                name = class_map.get(str(box["class_id"]))
                if name is None:
                    raise ManifestError(f"Manifest line {number}: class_id {box['class_id']} is not in the class-map.")
                names.append(str(name))
        elif "class-name" in metadata:
            names.append(str(metadata["class-name"]))
        elif isinstance(metadata.get("class-map"), dict):  # multi-label classification
            names.extend(str(name) for name in metadata["class-map"].values())
        else:
            raise ManifestError(f"Manifest line {number}: metadata of {attribute!r} has no class-name or class-map.")
    return names, detection


def parse_manifest(text: str) -> tuple[list[dict[str, Any]], Dataset]:
    lines: list[dict[str, Any]] = []
    dataset = Dataset()
    classes: dict[str, None] = {}
    for number, raw in enumerate(text.split("\n"), start=1):  # "\n" only: U+2028 in a string is part of a line
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"Manifest line {number} is not valid JSON: {exc.msg}.") from exc
        if not isinstance(line, dict) or "source-ref" not in line:
            raise ManifestError(f"Manifest line {number} has no source-ref.")
        names, detection = _labels_of_line(line, number)
        dataset.object_detection = dataset.object_detection or detection
        classes.update(dict.fromkeys(names))
        lines.append(line)
    if not lines:
        raise ManifestError("The manifest file is empty.")
    if not classes:
        raise ManifestError("The manifest file has no labels.")
    dataset.classes = list(classes)
    dataset.images = len(lines)
    return lines, dataset


def load_training_dataset(account_id: str, region: str, assets: list[dict[str, Any]]) -> Dataset:
    """Read and check every manifest asset and the images they reference, as training in `region` would."""
    if not assets:
        raise ManifestError("TrainingData has no assets.")
    combined = Dataset()
    classes: dict[str, None] = {}
    for asset in assets:
        s3_object = (asset.get("GroundTruthManifest") or {}).get("S3Object") or {}
        bucket, key = s3_object.get("Bucket"), s3_object.get("Name")
        if not bucket or not key:
            raise ManifestError("A training asset has no GroundTruthManifest.S3Object.")
        data, manifest_region = read_object(account_id, bucket, key, s3_object.get("Version"))
        if manifest_region != region:
            raise ManifestError(f"The manifest bucket s3://{bucket} is in {manifest_region}, not {region}.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ManifestError(f"The manifest s3://{bucket}/{key} is not UTF-8 text.") from exc
        lines, dataset = parse_manifest(text)
        for number, line in enumerate(lines, start=1):
            image_bucket, image_key = _split_s3_uri(line["source-ref"])
            try:
                _, image_region = read_object(account_id, image_bucket, image_key)
            except ManifestError as exc:
                raise ManifestError(f"Manifest line {number}: {exc}") from exc
            if image_region != region:
                raise ManifestError(f"Manifest line {number}: image bucket {image_bucket} is in {image_region}, not {region}.")
        classes.update(dict.fromkeys(dataset.classes))
        combined.object_detection = combined.object_detection or dataset.object_detection
        combined.images += dataset.images
    combined.classes = list(classes)
    return combined
