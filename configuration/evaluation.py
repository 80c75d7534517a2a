"""A trained version's evaluation figures, read the way the Custom Labels guide documents them.

DescribeProjectVersions gives `EvaluationResult.F1Score` and `EvaluationResult.Summary.S3Object`; the summary
file (`EvaluationSummary-{project}-{version}.json`, guide: "Reference: Training results summary file",
im-summary-file.html) holds `AggregatedEvaluationResults.Metrics` (Precision, Recall, F1Score) and
`EvaluationDetails.NumberOfTestingImages`. Shared by the `read_evaluation` activity and `status`; the S3 read
is the caller's (`get_object(bucket, key) -> bytes`), so this module does no I/O of its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EvaluationFigures:
    f1: float | None = None
    precision: float | None = None
    recall: float | None = None
    test_images: int | None = None
    summary_uri: str | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def summary_location(description: dict) -> tuple[str, str] | None:
    """(bucket, key) of the summary file a DescribeProjectVersions item names, if training completed."""
    s3_object = ((description.get("EvaluationResult") or {}).get("Summary") or {}).get("S3Object") or {}
    if s3_object.get("Bucket") and s3_object.get("Name"):
        return s3_object["Bucket"], s3_object["Name"]
    return None


def figures(description: dict, summary: dict | None) -> EvaluationFigures:
    """The figures of one version from its description and its parsed summary file (None: not read)."""
    f1 = _number((description.get("EvaluationResult") or {}).get("F1Score"))
    where = summary_location(description)
    uri = f"s3://{where[0]}/{where[1]}" if where else None
    if not isinstance(summary, dict):
        return EvaluationFigures(f1=f1, summary_uri=uri)
    metrics = ((summary.get("AggregatedEvaluationResults") or {}).get("Metrics")) or {}
    testing = (summary.get("EvaluationDetails") or {}).get("NumberOfTestingImages")
    return EvaluationFigures(
        f1=f1 if f1 is not None else _number(metrics.get("F1Score")),
        precision=_number(metrics.get("Precision")),
        recall=_number(metrics.get("Recall")),
        test_images=testing if isinstance(testing, int) and not isinstance(testing, bool) else None,
        summary_uri=uri,
    )


def read_figures(description: dict, get_object: Callable[[str, str], bytes]) -> EvaluationFigures:
    """figures() after reading the summary file the description names (none named: F1 alone, if any)."""
    where = summary_location(description)
    if where is None:
        return figures(description, None)
    try:
        summary = json.loads(get_object(*where))
    except ValueError:  # not JSON: report what DescribeProjectVersions said
        summary = None
    return figures(description, summary)
