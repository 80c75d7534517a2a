"""Files a training writes to the version's output bucket, in the formats the guide documents.

- Validation results, whenever the datasets were validated (training completed, or failed on a manifest content
  error): `training_manifest_with_validation.json`, `testing_manifest_with_validation.json` and
  `manifest_summary.json` ("Getting the validation results", "Understanding the manifest summary").
- After a completed training: the evaluation summary `EvaluationSummary-{project}-{version}.json`
  ("Reference: Training results summary file") and the output manifests of the two datasets.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from .store import Version

VALIDATION_KEYS = {
    "training": "manifests/validation/training_manifest_with_validation.json",
    "testing": "manifests/validation/testing_manifest_with_validation.json",
    "summary": "manifests/validation/manifest_summary.json",
}
OUTPUT_KEYS = {"training": "manifests/output/train.manifest", "testing": "manifests/output/test.manifest"}


def output_key(version: Version, name: str) -> str:
    return f"{version.request['OutputConfig'].get('S3KeyPrefix', '')}{name}"


def evaluation_summary_name(version: Version) -> str:
    return f"EvaluationSummary-{version.project}-{version.name}.json"


def _metric(version: Version, salt: str, low: float = 0.8) -> float:
    """A figure in [low, 0.99) from region, project and version: the same every run, different per region."""
    digest = hashlib.sha256(f"{version.region}/{version.project}/{version.name}/{salt}".encode()).digest()
    return round(low + int.from_bytes(digest[:4], "big") / 2**32 * (0.99 - low), 3)


def aggregate_figures(version: Version, configured: dict[str, float]) -> dict[str, float]:
    """Precision, recall and F1 of the version: the control API's values (`evaluation`), the rest derived.

    Derived figures stay consistent: F1 is the harmonic mean of precision and recall, and an F1 set alone gives
    precision = recall = F1.
    """
    f1 = configured.get("f1")
    precision = configured.get("precision", f1 if f1 is not None else _metric(version, "precision"))
    recall = configured.get("recall", f1 if f1 is not None else _metric(version, "recall"))
    if f1 is None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"Precision": round(precision, 3), "Recall": round(recall, 3), "F1Score": round(f1, 3)}


def _json_lines(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _confusion_matrix(version: Version, classes: list[str]) -> list[dict[str, Any]]:
    """Each label mostly predicted as itself, the rest as the next label: a plausible, deterministic matrix."""
    cells = []
    for index, truth in enumerate(classes):
        hit = _metric(version, f"confusion/{truth}")
        cells.append({"GroundTruthLabel": truth, "PredictedLabel": truth, "Value": hit})
        if len(classes) > 1:
            other = classes[(index + 1) % len(classes)]
            cells.append({"GroundTruthLabel": truth, "PredictedLabel": other, "Value": round(1 - hit, 3)})
    return cells


def _evaluation_summary(version: Version, figures: dict[str, float]) -> dict[str, Any]:
    dataset, validation = version.dataset, version.validation
    classes = dataset.classes
    testing = validation.testing.valid
    metrics: dict[str, Any] = dict(figures)
    if dataset.object_detection:
        metrics["AveragePrecision"] = _metric(version, "map")
        metrics["AverageRecall"] = _metric(version, "mar")
    else:
        metrics["ConfusionMatrix"] = _confusion_matrix(version, classes)
    labels = [
        {
            "Label": name,
            "NumberOfTestingImages": sum(1 for entry in testing if name in entry.labels),
            "Metrics": {
                "Threshold": 0.5,
                "Precision": _metric(version, f"{name}/precision"),
                "Recall": _metric(version, f"{name}/recall"),
                "F1Score": _metric(version, f"{name}/f1"),
            },
        }
        for name in classes
    ]
    return {
        "Version": 1,
        "EvaluationDetails": {
            "ProjectVersionArn": version.arn,
            "EvaluationEndTimestamp": datetime.fromtimestamp(version.training_end, UTC).isoformat(),
            "Labels": classes,
            "NumberOfTrainingImages": dataset.images,
            "NumberOfTestingImages": dataset.testing_images,
        },
        "AggregatedEvaluationResults": {"Metrics": metrics},
        "LabelEvaluationResults": sorted(labels, key=lambda label: label["Metrics"]["F1Score"], reverse=True),
    }


def write_training_outputs(version: Version, succeeded: bool, configured: dict[str, float] | None = None) -> None:
    """Put the validation results, and after a completed training the evaluation and output manifests, in S3.

    `configured`: evaluation figures set through the control API for this version and region.
    """
    from moto.s3.models import s3_backends

    validation = version.validation
    backend = s3_backends[version.account]["aws"]
    bucket = version.request["OutputConfig"]["S3Bucket"]
    if validation is None or bucket not in backend.buckets:  # deleted during training: nothing to write to
        return
    checks = {"training": validation.training, "testing": validation.testing}
    for purpose, check in checks.items():
        backend.put_object(bucket, output_key(version, VALIDATION_KEYS[purpose]),
                           _json_lines([entry.with_validation() for entry in check.entries]))
    backend.put_object(bucket, output_key(version, VALIDATION_KEYS["summary"]), json.dumps(validation.summary()).encode())
    version.validation_written = True
    if not succeeded:
        return
    figures = aggregate_figures(version, configured or {})
    version.f1_score = figures["F1Score"]
    for purpose, check in checks.items():
        backend.put_object(bucket, output_key(version, OUTPUT_KEYS[purpose]), _json_lines([e.line for e in check.valid]))
    backend.put_object(bucket, output_key(version, evaluation_summary_name(version)),
                       json.dumps(_evaluation_summary(version, figures)).encode())
