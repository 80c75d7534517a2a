"""Dataset rules that make Custom Labels training end in TRAINING_FAILED, as AWS does.

Sources (Amazon Rekognition Custom Labels Developer Guide):
- ERROR_MANIFEST_TOO_FEW_LABELS: a classification manifest needs at least 2 labels
  ("Debugging a failed model training", tm-debugging-aggregate-errors.html).
- ERROR_TOO_MANY_LABELS: at most 250 labels per model ("Guidelines and quotas", limits.html).
Exact wording not yet re-checked against the pages (work cut short by deadline).
"""
from __future__ import annotations

from .manifest import Dataset

MAX_LABELS = 250


def dataset_failure(dataset: Dataset) -> str | None:
    """The TRAINING_FAILED status message for a dataset AWS would refuse to train, else None."""
    if not dataset.object_detection and len(dataset.classes) < 2:
        return "ERROR_MANIFEST_TOO_FEW_LABELS: The manifest file has too few labels (at least 2 are required)."
    if len(dataset.classes) > MAX_LABELS:
        return f"ERROR_TOO_MANY_LABELS: The manifest file has more than {MAX_LABELS} labels."
    return None
