"""The entries of a Custom Labels dataset: what CreateDataset and UpdateDatasetEntries keep of JSON Lines.

Guide, "Debugging datasets" (debugging-datasets-terminal-errors.html, debugging-datasets-non-terminal-errors.html):
- terminal file errors fail the whole create or update; the dataset's StatusMessage is `CODE: message (detail)`;
- terminal content errors (a line over 100,000 characters, invalid JSON, no or a malformed `source-ref`, a
  `source-ref` already in the dataset) remove the line; too many of them fail with ERROR_TOO_MANY_RECORDS_IN_ERROR;
- non-terminal errors keep the line, with the errors in its `cl-errors` list, and leave it out of training.
ListDatasetEntries shows each line as the guide's example does: the JSON Line plus `cl-metadata` and `cl-errors`
(tm-debugging-json-line-errors.html, ERROR_UNSUPPORTED_USE_CASE_TYPE).
"""

from __future__ import annotations

import json
from typing import Any

from .manifest import Entry, ManifestError, parse_manifest, read_manifest
from .training_rules import (
    MAX_LABELS,
    MAX_ROWS,
    MAX_ROWS_SMALL_REGION,
    SMALL_REGIONS,
    shown_labels,
    split_by_label,
)

MAX_LINE_CHARS = 100_000  # "The maximum length is 100,000 characters" (terminal content errors)
REMOVED_LINE_ERRORS = {"ERROR_INVALID_JSON_LINE", "ERROR_MISSING_SOURCE_REF", "ERROR_INVALID_SOURCE_REF_FORMAT"}
# AWS says only that "too many" removed lines fail the dataset; the 20% of the manifest validation rules is ours.
MAX_REMOVED_SHARE = 0.20
SERVICE_KEYS = ("cl-metadata", "cl-errors")  # added by the service; dropped from lines sent back to it

FILE_ERRORS = {
    "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT": "The manifest file extension or contents are invalid.",
    "ERROR_MANIFEST_SIZE_TOO_LARGE": "The manifest file size exceeds the maximum supported size.",
    "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM": "The manifest file has too many rows.",
    "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET": "The S3 bucket permissions are incorrect.",
    "ERROR_TOO_MANY_RECORDS_IN_ERROR": "The manifest file has too many terminal errors.",
    "ERROR_MANIFEST_TOO_MANY_LABELS": "The manifest file has too many labels.",
    "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE": (
        "The manifest file doesn't have enough labeled images to distribute the dataset."
    ),
}


class DatasetFailure(Exception):
    """A terminal file error: the create or update ends CREATE_FAILED / UPDATE_FAILED with this message."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code, self.detail = code, detail
        super().__init__(self.status_message)

    @property
    def status_message(self) -> str:
        return f"{self.code}: {FILE_ERRORS[self.code]} {self.detail}".strip()


def _strip_service_keys(entry: Entry) -> None:
    if entry.line is not None:
        for key in SERVICE_KEYS:
            entry.line.pop(key, None)


def parse_lines(text: str, known: set[str] | None = None) -> tuple[list[Entry], int]:
    """(kept entries, number of lines) of JSON Lines; a line with a terminal content error is left out, as is a
    `source-ref` already seen (here or in `known`)."""
    try:
        entries = parse_manifest(text)
    except ManifestError:
        return [], 0
    seen = set(known or ())
    kept = []
    for entry in entries:
        if len(entry.raw) > MAX_LINE_CHARS or any(error.code in REMOVED_LINE_ERRORS for error in entry.errors):
            continue
        source = entry.line["source-ref"]
        if source in seen:
            continue
        seen.add(source)
        _strip_service_keys(entry)
        kept.append(entry)
    return kept, len(entries)


def check_limits(entries: list[Entry], removed: int, lines: int, dataset_type: str, region: str) -> None:
    """The terminal file errors a dataset's content can cause (limits.html for the numbers): `removed` of the
    `lines` sent had terminal content errors, `entries` is what the dataset would hold."""
    if lines and removed > MAX_REMOVED_SHARE * lines:
        raise DatasetFailure("ERROR_TOO_MANY_RECORDS_IN_ERROR", f"({removed} of {lines} JSON Lines have terminal errors).")
    purpose = "training" if dataset_type == "TRAIN" else "testing"
    limit = MAX_ROWS_SMALL_REGION[purpose] if region in SMALL_REGIONS else MAX_ROWS
    if len(entries) > limit:
        raise DatasetFailure("ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM", f"({len(entries)} images; at most {limit} in {region}).")
    labels = label_names(entries)
    if len(labels) > MAX_LABELS:
        raise DatasetFailure("ERROR_MANIFEST_TOO_MANY_LABELS", f"({len(labels)} labels; at most {MAX_LABELS}).")


def from_manifest(account: str, region: str, dataset_type: str, s3_object: dict[str, Any]) -> list[Entry]:
    """The entries of a Ground Truth manifest, read with the caller's S3 permissions; DatasetFailure otherwise."""
    try:
        text = read_manifest(account, region, s3_object)
    except ManifestError as exc:
        raise DatasetFailure(exc.code, f"({exc})") from exc
    entries, lines = parse_lines(text)
    if not lines:
        raise DatasetFailure("ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT", "(the manifest file is empty).")
    check_limits(entries, lines - len(entries), lines, dataset_type, region)
    return entries


def merged(current: list[Entry], text: str, dataset_type: str, region: str) -> list[Entry]:
    """UpdateDatasetEntries: lines whose `source-ref` is in the dataset replace that entry, others are added."""
    changes, lines = parse_lines(text)
    by_source = {entry.line["source-ref"]: entry for entry in changes}
    result = [by_source.pop(entry.line["source-ref"], entry) for entry in current]
    result.extend(entry for entry in changes if entry.line["source-ref"] in by_source)
    check_limits(result, lines - len(changes), lines, dataset_type, region)
    return result


def distributed(training: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """DistributeDatasetEntries: 20% of the training entries (per label) move to the empty test dataset."""
    kept, moved, short = split_by_label(training)
    if short or not moved:
        raise DatasetFailure("ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE",
                             f"(labels with fewer than 2 labeled images: {shown_labels(short) or 'no labeled images'}).")
    return kept, moved


# --- reading a dataset ------------------------------------------------------------------------------------
def label_names(entries: list[Entry]) -> list[str]:
    return list(dict.fromkeys(label for entry in entries for label in entry.labels))


def stats(entries: list[Entry]) -> dict[str, int]:
    """DatasetStats (API_DatasetStats): labeled, total and erroneous entries, labels in the dataset."""
    return {
        "LabeledEntries": sum(1 for entry in entries if entry.labels),
        "TotalEntries": len(entries),
        "TotalLabels": len(label_names(entries)),
        "ErrorEntries": sum(1 for entry in entries if entry.errors),
    }


def label_descriptions(entries: list[Entry]) -> list[dict[str, Any]]:
    """DatasetLabelDescription per label: images using it, images with it on a bounding box."""
    return [
        {"LabelName": name, "LabelStats": {
            "EntryCount": sum(1 for entry in entries if name in entry.labels),
            "BoundingBoxCount": sum(1 for entry in entries if entry.detection and name in entry.labels),
        }}
        for name in label_names(entries)
    ]


def json_line(entry: Entry) -> str:
    line = dict(entry.line)
    line["cl-metadata"] = {"is_labeled": bool(entry.labels)}
    if entry.errors:
        line["cl-errors"] = [{"code": error.code, "message": error.as_json()["message"]} for error in entry.errors]
    return json.dumps(line)


def matches(entry: Entry, labels: list[str] | None, labeled: bool | None, source_ref: str | None,
            has_errors: bool | None) -> bool:
    """The ListDatasetEntries filters; HasErrors=false filters nothing ("Specify True to only include entries
    that have errors"), as AWS's own example relies on."""
    if labels and not set(labels) & set(entry.labels):
        return False
    if labeled is not None and bool(entry.labels) != labeled:
        return False
    if source_ref and source_ref not in entry.line["source-ref"]:
        return False
    return not (has_errors and not entry.errors)


def manifest_text(entries: list[Entry]) -> str:
    """The entries as a manifest, for training from the dataset."""
    return "".join(json.dumps(entry.line) + "\n" for entry in entries)
