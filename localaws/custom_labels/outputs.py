"""Files a finished training writes to the version's output bucket (evaluation summary, manifests)."""

from __future__ import annotations

import hashlib
import json

from .operations import evaluation_summary_name, output_key
from .store import Version


def _f1_score(version: Version) -> float:
    digest = hashlib.sha256(version.arn.encode()).digest()
    return round(0.8 + int.from_bytes(digest[:4], "big") / 2**32 * 0.19, 3)


def write_training_outputs(version: Version) -> None:
    """Set the F1 score and put the evaluation summary and output manifest into the output bucket."""
    from moto.s3.models import s3_backends

    version.f1_score = _f1_score(version)
    bucket = version.request["OutputConfig"]["S3Bucket"]
    classes = version.dataset.classes if version.dataset else []
    summary = {
        "Version": 1,
        "EvaluationDetails": {
            "EvaluationEndTimestamp": version.training_end,
            "Labels": classes,
            "NumberOfTrainingImages": version.dataset.images if version.dataset else 0,
            "ProjectVersionArn": version.arn,
        },
        "AggregatedEvaluationResults": {"F1Score": version.f1_score},
        "LabelEvaluationResults": [
            {"Label": name, "Metrics": {"F1Score": version.f1_score, "Threshold": 0.5}} for name in classes
        ],
    }
    backend = s3_backends[version.account]["aws"]
    if bucket not in backend.buckets:  # deleted during training: nothing to write to, like a lost output
        return
    detection = bool(version.dataset and version.dataset.object_detection)
    backend.put_object(bucket, output_key(version, evaluation_summary_name(version)), json.dumps(summary).encode())
    backend.put_object(
        bucket,
        output_key(version, "manifests/output/summary.json"),
        json.dumps({"labels": classes, "object_detection": detection}).encode(),
    )
