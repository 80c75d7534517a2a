"""Reading a SageMaker Ground Truth manifest from the local S3 (moto's backend) the way training would.

Problems with the manifest file itself (missing, unreadable, not text, empty, too large) are terminal: training
fails and no validation results are written (guide, "Terminal manifest file errors"). Problems with one JSON
Line (bad JSON, no label attribute, a missing or invalid image) are not: the line is marked with the error code
the guide documents and left out of training ("Non-terminal JSON Line validation errors"). Whether the dataset
as a whole can be trained is decided by `training_rules`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..iam.enforcer import check_caller_s3
from .images import image_format, image_size

MAX_MANIFEST_BYTES = 1024**3  # "Maximum dataset manifest file size is 1 GB" (limits.html)
MAX_IMAGE_BYTES = 15 * 1024 * 1024  # "Maximum file size for an image in an Amazon S3 bucket is 15 MB"
MIN_SIDE, MAX_SIDE, MAX_ASPECT = 64, 4096, 20  # image dimensions and aspect ratio 20:1 (limits.html)

# The JSON Line errors the guide documents, with their messages (tm-debugging-json-line-errors.html).
LINE_ERRORS = {
    "ERROR_MISSING_SOURCE_REF": "The source-ref key is missing.",
    "ERROR_INVALID_SOURCE_REF_FORMAT": "The format of the source-ref value is invalid.",
    "ERROR_NO_LABEL_ATTRIBUTES": "No label attributes found.",
    "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT": "The format of the label attribute {} is invalid.",
    "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT": "The format of the label attribute metadata is invalid.",
    "ERROR_NO_VALID_LABEL_ATTRIBUTES": "No valid label attributes found.",
    "ERROR_MISSING_CLASS_MAP_ID": "One of more class ids is missing from the class map.",
    "ERROR_INVALID_JSON_LINE": "The JSON Line has an invalid format.",
    "ERROR_INVALID_IMAGE": "The image is invalid. Check S3 path and/or image properties.",
    "ERROR_INVALID_BOUNDING_BOX": "The bounding box has off frame values.",
}


INACCESSIBLE = "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"


class ManifestError(Exception):
    """A terminal problem; the text becomes the version's StatusMessage. `code` is the guide's terminal file
    error code (debugging-datasets-terminal-errors.html), which a dataset reports in its StatusMessage."""

    def __init__(self, message: str, code: str = INACCESSIBLE) -> None:
        super().__init__(message)
        self.code = code


class ImagesDenied(ManifestError):
    """The caller may not read the images: ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET, a terminal content error."""


@dataclass
class LineError:
    code: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": LINE_ERRORS[self.code], "detail": self.detail}


@dataclass
class Entry:
    """One non-blank JSON Line of a manifest, with what training found in it."""

    number: int  # 1-based line number in the file
    raw: str
    line: dict[str, Any] | None = None
    bucket: str | None = None
    labels: list[str] = field(default_factory=list)
    detection: bool = False
    errors: list[LineError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def flag(self, code: str, detail: str) -> None:
        self.errors.append(LineError(code, detail))

    def with_validation(self) -> dict[str, Any]:
        """The line as the validation manifest shows it: a copy, with the errors added (or errors only)."""
        copy = dict(self.line) if self.line is not None else {}
        if self.errors:
            copy["errors"] = [error.as_json() for error in self.errors]
        return copy


@dataclass
class Dataset:
    """What a trained version knows about its data: DetectCustomLabels answers from these classes."""

    classes: list[str] = field(default_factory=list)
    object_detection: bool = False
    images: int = 0
    testing_images: int = 0


def _s3_backend(account_id: str):
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["aws"]


def _find_key(account_id: str, bucket: str, key: str, version: str | None):
    from moto.s3.models import FakeKey

    s3_bucket = _s3_backend(account_id).buckets.get(bucket)
    if s3_bucket is None:
        return None, None
    for candidate in reversed(s3_bucket.keys.getlist(key, [])):
        if isinstance(candidate, FakeKey) and (version is None or str(candidate.version_id) == version):
            return s3_bucket, candidate
    return s3_bucket, None


def read_object(account_id: str, bucket: str, key: str, version: str | None = None) -> tuple[bytes, str]:
    """Bytes and bucket region of an S3 object; ManifestError when it cannot be read."""
    s3_bucket, found = _find_key(account_id, bucket, key, version)
    if s3_bucket is None:
        raise ManifestError(f"Bucket s3://{bucket} does not exist.")
    denied = check_caller_s3("s3:GetObjectVersion" if version else "s3:GetObject", bucket, key)
    if denied:  # Custom Labels reads with the caller's S3 permissions ("Set up SDK permissions")
        raise ManifestError(denied)
    if found is None:
        raise ManifestError(f"Object s3://{bucket}/{key} does not exist or is not readable.")
    return found.value, s3_bucket.region_name


def bucket_region(account_id: str, bucket: str) -> str | None:
    found = _s3_backend(account_id).buckets.get(bucket)
    return found.region_name if found is not None else None


def read_manifest(account_id: str, region: str, s3_object: dict[str, Any]) -> str:
    """The manifest's text; ManifestError with the guide's terminal manifest file message otherwise."""
    bucket, key = s3_object.get("Bucket"), s3_object.get("Name")
    if not bucket or not key:
        raise ManifestError("The manifest file extension or contents are invalid: an asset has no S3Object.")
    s3_bucket, found = _find_key(account_id, bucket, key, s3_object.get("Version"))
    denied = check_caller_s3("s3:GetObjectVersion" if s3_object.get("Version") else "s3:GetObject", bucket, key)
    if s3_bucket is not None and denied:
        raise ManifestError(f"The S3 bucket permissions are incorrect. {denied}", "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET")
    if s3_bucket is None or found is None:
        raise ManifestError(f"The manifest file extension or contents are invalid: s3://{bucket}/{key} does not exist.")
    if s3_bucket.region_name != region:
        raise ManifestError(f"The manifest bucket s3://{bucket} is in {s3_bucket.region_name}, not {region}.")
    if found.size > MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"The manifest file size exceeds the maximum supported size: s3://{bucket}/{key} is {found.size} bytes, "
            f"at most {MAX_MANIFEST_BYTES} are allowed.",
            "ERROR_MANIFEST_SIZE_TOO_LARGE",
        )
    try:
        return found.value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"The manifest file extension or contents are invalid: s3://{bucket}/{key} is not UTF-8 text.") from exc


def _labels(entry: Entry) -> None:
    """Fill the entry's labels from its label attributes, or flag why it has none usable."""
    line = entry.line
    attributes = [key[: -len("-metadata")] for key in line if key.endswith("-metadata")]
    if not attributes:
        entry.flag("ERROR_NO_LABEL_ATTRIBUTES", "no '<attribute>-metadata' key")
        return
    for attribute in attributes:
        metadata, value = line[f"{attribute}-metadata"], line.get(attribute)
        if not isinstance(metadata, dict):
            entry.flag("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT", f"{attribute}-metadata is not an object")
            continue
        if attribute not in line:
            entry.flag("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", f"label attribute {attribute!r} is missing")
            continue
        kind = str(metadata.get("type", ""))
        if "object-detection" in kind or (isinstance(value, dict) and "annotations" in value):
            _boxes(entry, attribute, value, metadata)
        elif "class-name" in metadata:
            entry.labels.append(str(metadata["class-name"]))
        elif isinstance(metadata.get("class-map"), dict):  # multi-label classification
            entry.labels.extend(str(name) for name in metadata["class-map"].values())
        else:
            entry.flag("ERROR_NO_VALID_LABEL_ATTRIBUTES", f"{attribute}-metadata has no class-name or class-map")


def _boxes(entry: Entry, attribute: str, value: Any, metadata: dict[str, Any]) -> None:
    entry.detection = True
    class_map = metadata.get("class-map")
    annotations = value.get("annotations") if isinstance(value, dict) else None
    if not isinstance(annotations, list):
        entry.flag("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", f"{attribute} has no annotations list")
        return
    if not isinstance(class_map, dict):
        entry.flag("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT", f"{attribute}-metadata has no class-map")
        return
    for box in annotations:
        numbers = [box.get(name) for name in ("left", "top", "width", "height")] if isinstance(box, dict) else []
        if len(numbers) != 4 or not all(isinstance(n, (int, float)) and not isinstance(n, bool) and n >= 0 for n in numbers):
            entry.flag("ERROR_INVALID_BOUNDING_BOX", "a box without non-negative left/top/width/height")
            continue
        name = class_map.get(str(box.get("class_id")))
        if name is None:
            entry.flag("ERROR_MISSING_CLASS_MAP_ID", f"class_id {box.get('class_id')!r} is not in the class-map")
            continue
        entry.labels.append(str(name))


def parse_manifest(text: str) -> list[Entry]:
    """Every non-blank JSON Line, each checked on its own; ManifestError only when there is none."""
    entries: list[Entry] = []
    for number, raw in enumerate(text.split("\n"), start=1):  # "\n" only: U+2028 in a string is part of a line
        if not raw.strip():
            continue
        entry = Entry(number=number, raw=raw)
        entries.append(entry)
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            entry.flag("ERROR_INVALID_JSON_LINE", f"line {number} is not valid JSON: {exc.msg}")
            continue
        if not isinstance(parsed, dict):
            entry.flag("ERROR_INVALID_JSON_LINE", f"line {number} is not a JSON object")
            continue
        entry.line = parsed
        source = parsed.get("source-ref")
        if source is None:
            entry.flag("ERROR_MISSING_SOURCE_REF", f"line {number} has no source-ref")
        elif not isinstance(source, str) or not source.startswith("s3://") or "/" not in source[5:] or source[5:].startswith("/"):
            entry.flag("ERROR_INVALID_SOURCE_REF_FORMAT", f"source-ref {source!r} is not an s3://bucket/key URI")
        else:
            entry.bucket = source[5:].split("/", 1)[0]
        _labels(entry)
    if not entries:
        raise ManifestError("The manifest file is empty.")
    return entries


def check_images(account_id: str, region: str, entries: list[Entry]) -> None:
    """Flag lines whose image is missing or outside the training image limits; raise when reading is denied."""
    for entry in entries:
        if entry.bucket is None:
            continue
        bucket, key = entry.line["source-ref"][5:].split("/", 1)
        s3_bucket, found = _find_key(account_id, bucket, key, None)
        denied = check_caller_s3("s3:GetObject", bucket, key) if s3_bucket is not None else None
        if denied:
            raise ImagesDenied(f"The permissions for the images S3 bucket are invalid. {denied}")
        if s3_bucket is not None and s3_bucket.region_name != region:
            raise ManifestError(f"Manifest line {entry.number}: image bucket {bucket} is in {s3_bucket.region_name}, not {region}.")
        problem = _image_problem(found)
        if problem:
            entry.flag("ERROR_INVALID_IMAGE", f"s3://{bucket}/{key} {problem}")


def _image_problem(found) -> str | None:
    if found is None:
        return "does not exist"
    if found.size > MAX_IMAGE_BYTES:
        return f"is {found.size} bytes, over the 15 MB limit"
    data = found.value
    if image_format(data) is None:
        return "is not a PNG or JPEG image"
    size = image_size(data)
    if size is None:
        return "has no readable image header"
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        return f"is {width}x{height} pixels, outside {MIN_SIDE}..{MAX_SIDE}"
    if max(width, height) > MAX_ASPECT * min(width, height):
        return f"is {width}x{height} pixels, an aspect ratio over {MAX_ASPECT}:1"
    return None
