"""What Custom Labels training decides about a dataset before it trains: the guide's limits and errors.

`validate_training` reads the training (and testing) manifests of a CreateProjectVersion request as training in
the model's region would and returns the outcome: the TRAINING_FAILED status message, if any; the validation
results AWS writes (a manifest summary and a validation manifest per dataset, in the guide's formats); and the
dataset a trained model answers from. docs/TRAINING_RULES.md lists every rule with its source page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .manifest import Dataset, Entry, ImagesDenied, ManifestError, check_images, parse_manifest, read_manifest

MAX_LABELS = 250  # "Maximum number of unique labels per manifest is 250" (limits.html)
MIN_LABELS = {"IMAGE_LEVEL_LABELS": 2, "OBJECT_LOCALIZATION": 1}  # classification 2, detection 1 (limits.html)
MAX_ROWS = 250_000  # "Maximum of 250,000 dataset objects as lines in a manifest" (validation rules page)
# "The limit for Asia Pacific (Mumbai) and Europe (London) AWS Regions is 28,000 images" (7,000 for testing).
SMALL_REGIONS = {"ap-south-1", "eu-west-2"}
MAX_ROWS_SMALL_REGION = {"training": 28_000, "testing": 7_000}
MAX_INVALID_SHARE = 0.20  # "The 20% invalidity rules apply cumulatively across all validation rules"
MIN_LABEL_OVERLAP = 0.50  # "At least 50% overlap in the labels"; overlap = common labels / train labels
AUTOSPLIT_TEST_SHARE = 0.20  # AutoCreate: "an 80/20 split of the training dataset"
# AWS publishes no number of images per label an AutoCreate split needs. A label needs one image on each side
# of the split, so fewer than 2 can never work; that is the rule here.
MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT = 2

# Terminal manifest content errors: code -> message (tm-debugging-aggregate-errors.html).
CONTENT_ERRORS = {
    "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM": "The manifest file has too many rows.",
    "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST": "The manifest file contains too many invalid rows.",
    "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS": "The manifest file contains images from multiple S3 buckets.",
    "ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET": "The permissions for the images S3 bucket are invalid.",
    "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT": (
        "The manifest file contains insufficient labeled images per label to perform auto-split."
    ),
    "ERROR_MANIFEST_TOO_FEW_LABELS": "The manifest file has too few labels.",
    "ERROR_MANIFEST_TOO_MANY_LABELS": "The manifest file has too many labels.",
    "ERROR_INSUFFICIENT_LABEL_OVERLAP": "Less than 50% label overlap between the training and testing manifest files.",
}


@dataclass
class ContentError:
    code: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": CONTENT_ERRORS[self.code]}

    def status_message(self) -> str:
        return f"{self.code}: {CONTENT_ERRORS[self.code]} {self.detail}".strip()


@dataclass
class DatasetCheck:
    """One dataset (training or testing) as validation saw it."""

    purpose: str  # "training" or "testing"
    entries: list[Entry]
    errors: list[ContentError] = field(default_factory=list)

    @property
    def valid(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.valid]

    @property
    def use_case(self) -> str:
        valid = self.valid
        if not valid:
            return "NOT_DETERMINED"
        return "OBJECT_LOCALIZATION" if any(entry.detection for entry in valid) else "IMAGE_LEVEL_LABELS"

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(label for entry in self.valid for label in entry.labels))

    def statistics(self) -> dict[str, Any]:
        invalid = [entry.number for entry in self.entries if not entry.valid]
        return {
            "use_case": self.use_case,
            "total_json_lines": len(self.entries),
            "valid_json_lines": len(self.entries) - len(invalid),
            "invalid_json_lines": len(invalid),
            "ignored_json_lines": 0,
            "error_json_line_indices": invalid,
            "errors": [error.as_json() for error in self.errors],
        }


@dataclass
class Validation:
    """The validation results training writes to the output bucket (tm-debugging-getting-validation-data.html)."""

    training: DatasetCheck
    testing: DatasetCheck
    errors: list[ContentError] = field(default_factory=list)  # errors spanning both datasets

    def summary(self) -> dict[str, Any]:
        return {
            "errors": [error.as_json() for error in self.errors],
            "statistics": {"training": self.training.statistics(), "testing": self.testing.statistics()},
        }

    def first_error(self) -> ContentError | None:
        for error in [*self.training.errors, *self.testing.errors, *self.errors]:
            return error
        return None


@dataclass
class Outcome:
    failure: str | None = None
    dataset: Dataset | None = None
    validation: Validation | None = None


def _read(account: str, region: str, purpose: str, assets: list[dict[str, Any]]) -> DatasetCheck:
    if len(assets) != 1:  # "Maximum number of training datasets in a version of a model is 1" (also testing)
        raise ManifestError(
            f"A model version has at most 1 {purpose} dataset: {purpose.title()}Data.Assets lists {len(assets)} manifests."
        )
    text = read_manifest(account, region, (assets[0].get("GroundTruthManifest") or {}).get("S3Object") or {})
    return DatasetCheck(purpose, parse_manifest(text))


def _check_rows_and_lines(check: DatasetCheck, region: str) -> None:
    limit = MAX_ROWS_SMALL_REGION[check.purpose] if region in SMALL_REGIONS else MAX_ROWS
    if len(check.entries) > limit:
        check.errors.append(ContentError("ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM", f"({len(check.entries)} JSON Lines; at most {limit} in {region})."))
    invalid = [entry for entry in check.entries if not entry.valid]
    if len(invalid) > MAX_INVALID_SHARE * len(check.entries):
        first = invalid[0]
        check.errors.append(ContentError(
            "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
            f"({check.purpose} manifest: {len(invalid)} of {len(check.entries)} JSON Lines invalid, at most 20% may be; "
            f"line {first.number}: {first.errors[0].code}, {first.errors[0].detail}).",
        ))
    buckets = sorted({entry.bucket for entry in check.entries if entry.bucket})
    if len(buckets) > 1:
        check.errors.append(ContentError("ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS", f"({check.purpose} manifest: {', '.join(buckets)})."))


def _check_labels(check: DatasetCheck) -> None:
    if check.use_case == "NOT_DETERMINED":
        return
    labels, minimum = check.labels, MIN_LABELS[check.use_case]
    if len(labels) < minimum:
        kind = "classification" if check.use_case == "IMAGE_LEVEL_LABELS" else "object detection"
        check.errors.append(ContentError(
            "ERROR_MANIFEST_TOO_FEW_LABELS",
            f"({check.purpose} dataset has {len(labels)} label(s); {kind} needs at least {minimum}).",
        ))
    if len(labels) > MAX_LABELS:
        check.errors.append(ContentError(
            "ERROR_MANIFEST_TOO_MANY_LABELS", f"({check.purpose} dataset has {len(labels)} labels; at most {MAX_LABELS})."
        ))


def split_by_label(entries: list[Entry]) -> tuple[list[Entry], list[Entry], list[str]]:
    """(kept, moved, short labels): 20% of each label's valid images (by first label, at least one) move to
    testing, as AutoCreate and DistributeDatasetEntries do; nothing moves when a label has too few images."""
    valid = [entry for entry in entries if entry.valid and entry.labels]
    counts: dict[str, int] = {}
    for entry in valid:
        for label in dict.fromkeys(entry.labels):
            counts[label] = counts.get(label, 0) + 1
    short = sorted(label for label, count in counts.items() if count < MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT)
    if short:
        return entries, [], short
    groups: dict[str, list[Entry]] = {}
    for entry in valid:
        groups.setdefault(entry.labels[0], []).append(entry)
    moved = {id(entry) for group in groups.values() for entry in group[-math.ceil(len(group) * AUTOSPLIT_TEST_SHARE):]}
    return ([entry for entry in entries if id(entry) not in moved], [entry for entry in entries if id(entry) in moved],
            [])


def shown_labels(labels: list[str]) -> str:
    return ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")


def _autosplit(training: DatasetCheck) -> DatasetCheck:
    """Move 20% of each label's images into a testing dataset (AutoCreate)."""
    kept, moved, short = split_by_label(training.entries)
    if short:
        training.errors.append(ContentError(
            "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT",
            f"(labels with fewer than {MIN_IMAGES_PER_LABEL_FOR_AUTOSPLIT} images: {shown_labels(short)}).",
        ))
        return DatasetCheck("testing", [])
    training.entries = kept
    return DatasetCheck("testing", moved)


def _check(account: str, region: str, params: dict[str, Any]) -> Validation:
    training = _read(account, region, "training", params["TrainingData"].get("Assets") or [])
    testing_assets = params["TestingData"].get("Assets")
    testing = _read(account, region, "testing", testing_assets) if testing_assets else None
    return _validate(account, region, training, testing)


def _validate(account: str, region: str, training: DatasetCheck, testing: DatasetCheck | None) -> Validation:
    """The rules on the training and testing data; no testing data means an AutoCreate split."""
    split = testing is None
    for check in (training, testing):
        if check is not None:
            check_images(account, region, check.entries)
            _check_rows_and_lines(check, region)
    if testing is None:
        testing = _autosplit(training)
    validation = Validation(training, testing)
    for check in (training, testing):
        _check_labels(check)
    train_labels, test_labels = set(training.labels), set(testing.labels)
    if not split and train_labels and len(train_labels & test_labels) < MIN_LABEL_OVERLAP * len(train_labels):
        validation.errors.append(ContentError(
            "ERROR_INSUFFICIENT_LABEL_OVERLAP",
            f"({len(train_labels & test_labels)} of {len(train_labels)} training labels are in the testing dataset).",
        ))
    return validation


def _outcome(validate) -> Outcome:
    try:
        validation = validate()
    except ImagesDenied as exc:
        return Outcome(failure=f"ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET: {exc}")
    except ManifestError as exc:
        return Outcome(failure=str(exc))
    error = validation.first_error()
    dataset = Dataset(
        classes=validation.training.labels,
        object_detection=validation.training.use_case == "OBJECT_LOCALIZATION",
        images=len(validation.training.valid),
        testing_images=len(validation.testing.valid),
    )
    return Outcome(failure=error.status_message() if error else None, dataset=dataset, validation=validation)


def validate_training(account: str, region: str, params: dict[str, Any]) -> Outcome:
    """Validate a CreateProjectVersion request's manifests as training would."""
    return _outcome(lambda: _check(account, region, params))


def validate_dataset_training(account: str, region: str, training: str, testing: str) -> Outcome:
    """Validate the project's training and test datasets (their entries as manifest text) as training would;
    an empty dataset has no labels, too few for any model."""
    for purpose, text in (("training", training), ("testing", testing)):
        if not text.strip():
            return Outcome(failure=ContentError("ERROR_MANIFEST_TOO_FEW_LABELS", f"(the {purpose} dataset is empty).")
                           .status_message())
    return _outcome(lambda: _validate(account, region, DatasetCheck("training", parse_manifest(training)),
                                      DatasetCheck("testing", parse_manifest(testing))))
