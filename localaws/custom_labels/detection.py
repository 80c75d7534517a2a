"""Deterministic DetectCustomLabels answers: the same image bytes always give the same labels.

Labels come from the classes of the version's training manifest; confidences and boxes are derived from a
SHA-256 of the image, so tests can rely on stable output without any model.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .manifest import Dataset

DEFAULT_MIN_CONFIDENCE = 50.0  # stand-in for the per-label "assumed threshold" AWS applies


def _stream(image: bytes):
    """Endless deterministic numbers in [0, 1) from the image hash."""
    counter = 0
    while True:
        digest = hashlib.sha256(image + counter.to_bytes(4, "big")).digest()
        for index in range(0, len(digest), 4):
            yield int.from_bytes(digest[index : index + 4], "big") / 2**32
        counter += 1


def detect(dataset: Dataset, image: bytes, min_confidence: float | None, max_results: int | None,
           regional: dict[str, str | None] | None = None) -> list[dict[str, Any]]:
    """`regional`: the control API's `detection` settings of the model's region (bias_label, salt), which make
    the same image get another answer there, as a model trained separately in each region can."""
    regional = regional or {}
    numbers = _stream(image + (regional.get("salt") or "").encode())
    classes = list(dataset.classes)
    # Deterministic shuffle of classes, then a confidence per class, decreasing.
    order = sorted(classes, key=lambda _: next(numbers))
    bias = regional.get("bias_label")
    if bias in order:  # the biased class comes first, so it gets the top confidence
        order.insert(0, order.pop(order.index(bias)))
    count = 1 + int(next(numbers) * min(3, len(order)))
    labels = []
    confidence = 70.0 + next(numbers) * 29.9
    # Every class gets a confidence; the first `count` are the detected ones. The rest follow below the assumed
    # threshold, so only MinConfidence=0 ("returns all labels, regardless of the assumed threshold applied to each
    # label", API_DetectCustomLabels) or a low MinConfidence shows them.
    for index, name in enumerate(order):
        if index == count:
            confidence = min(confidence, DEFAULT_MIN_CONFIDENCE - 1)
        label: dict[str, Any] = {"Name": name, "Confidence": round(confidence, 3)}
        if dataset.object_detection:
            width = 0.1 + next(numbers) * 0.4
            height = 0.1 + next(numbers) * 0.4
            label["Geometry"] = {
                "BoundingBox": {
                    "Width": round(width, 5),
                    "Height": round(height, 5),
                    "Left": round(next(numbers) * (1 - width), 5),
                    "Top": round(next(numbers) * (1 - height), 5),
                }
            }
        labels.append(label)
        confidence = max(1.0, confidence - 5 - next(numbers) * 40)
    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else float(min_confidence)
    labels = [label for label in labels if label["Confidence"] >= threshold]
    if max_results is not None:
        labels = labels[:max_results]
    return labels
