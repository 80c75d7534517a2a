"""The dataset operations: CreateDataset, DescribeDataset, ListDatasetEntries, ListDatasetLabels,
UpdateDatasetEntries, DistributeDatasetEntries, DeleteDataset.

Sources: the API reference page of each operation and the Custom Labels guide ("Creating training and test
datasets (SDK)", "Distributing a training dataset (SDK)", "Adding more images (SDK)", "Deleting a dataset",
"Debugging datasets"). Creates, updates and deletes are asynchronous, timed like the other transitions
(`timing.DATASET`, `timing.DELETING`); what they will leave is decided when they are called, with the caller's
S3 permissions (dataset_content.py).
"""

from __future__ import annotations

import base64
import binascii
import copy
import time
from typing import Any

from .api import Context, operation, paged
from .dataset_content import (
    DatasetFailure,
    distributed,
    from_manifest,
    json_line,
    label_descriptions,
    matches,
    merged,
    stats,
)
from .errors import RekognitionError, in_use, invalid, not_ready
from .store import Dataset, Pending
from .tags import checked_tags

DATASET_TYPES = ("TRAIN", "TEST")
READY = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_FAILED")  # states whose entries can be read and changed
MAX_CHANGES_BYTES = 5 * 1024 * 1024  # "the size of Changes must be less than 5MB" (GroundTruthBlob max 5242880)


def _readable(dataset: Dataset) -> Dataset:
    """Entries are there once created and while no change runs (ours: which of the two errors the reference
    lists for List* fits which state)."""
    if dataset.status in ("CREATE_IN_PROGRESS", "CREATE_FAILED"):
        raise not_ready(f"The dataset {dataset.arn} is {dataset.status}.")
    if dataset.status not in READY:
        raise in_use(f"The dataset {dataset.arn} is {dataset.status}.")
    return dataset


def _copied(ctx: Context, arn: Any) -> Pending:
    source = ctx.dataset_by_arn(arn, "DatasetSource.DatasetArn")
    if source.status not in READY:
        raise invalid(f"The dataset {arn} is {source.status} and cannot be copied.")
    return Pending(entries=copy.deepcopy(source.entries))


def _source(ctx: Context, kind: str, source: Any) -> Pending:
    """What the new dataset will hold. No DatasetSource: an empty dataset; both or neither of its members:
    InvalidParameterException (API_CreateDataset, API_DatasetSource)."""
    if source is None:
        return Pending(entries=[])
    if not isinstance(source, dict) or ("GroundTruthManifest" in source) == ("DatasetArn" in source):
        raise invalid("DatasetSource needs exactly one of GroundTruthManifest and DatasetArn.")
    if "DatasetArn" in source:
        return _copied(ctx, source["DatasetArn"])
    manifest = source["GroundTruthManifest"]
    s3_object = manifest.get("S3Object") if isinstance(manifest, dict) else None
    if not isinstance(s3_object, dict) or not s3_object.get("Bucket") or not s3_object.get("Name"):
        raise invalid("DatasetSource.GroundTruthManifest.S3Object needs a Bucket and a Name.")
    try:
        return Pending(entries=from_manifest(ctx.account, ctx.region, kind, s3_object))
    except DatasetFailure as failure:
        return Pending(failure=failure.status_message)


@operation
def create_dataset(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    project = ctx.project_by_arn(params.get("ProjectArn"))
    kind = params.get("DatasetType")
    if kind not in DATASET_TYPES:
        raise invalid(f"DatasetType must be TRAIN or TEST, got {kind!r}.")
    tags = checked_tags(params.get("Tags"))
    if project.feature != "CUSTOM_LABELS":
        raise invalid(f"The project {project.name} is a {project.feature} project; datasets are for Custom Labels.")
    if project.status == "DELETING":
        raise invalid(f"The project {project.name} is being deleted.")
    if kind in project.datasets:
        raise RekognitionError("ResourceAlreadyExistsException", f"The project {project.name} already has a {kind} dataset.")
    pending = _source(ctx, kind, params.get("DatasetSource"))
    now = time.time()
    created_ms = int(now * 1000)
    dataset = Dataset(
        status="CREATE_IN_PROGRESS", account=ctx.account, region=ctx.region, project=project.name,
        dataset_type=kind, arn=f"{project.arn.rsplit('/', 1)[0]}/dataset/{kind.lower()}/{created_ms}",
        created_at=created_ms / 1000, tags=tags,
    )
    dataset.begin("CREATE_IN_PROGRESS", pending, now)
    project.datasets[kind] = dataset
    return {"DatasetArn": dataset.arn}


@operation
def describe_dataset(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dataset = ctx.dataset_by_arn(params.get("DatasetArn"))
    dataset.seen_calls += 1
    return {"DatasetDescription": {
        "CreationTimestamp": dataset.created_at,
        "LastUpdatedTimestamp": dataset.updated_at,
        "Status": dataset.status,
        "StatusMessage": dataset.status_message,
        "StatusMessageCode": dataset.status_message_code,
        "DatasetStats": stats(dataset.entries),
    }}


def _optional_bool(params: dict[str, Any], field: str) -> bool | None:
    value = params.get(field)
    if value is not None and not isinstance(value, bool):
        raise invalid(f"{field} must be true or false.")
    return value


def _filters(params: dict[str, Any]) -> tuple[list[str] | None, bool | None, str | None, bool | None]:
    labels = params.get("ContainsLabels")
    if labels is not None and (
        not isinstance(labels, list) or not 1 <= len(labels) <= 10
        or not all(isinstance(label, str) and 1 <= len(label) <= 255 for label in labels)
    ):
        raise invalid("ContainsLabels must list 1 to 10 label names.")
    source_ref = params.get("SourceRefContains")
    if source_ref is not None and (not isinstance(source_ref, str) or not 1 <= len(source_ref) <= 2048 or not source_ref.strip()):
        raise invalid("SourceRefContains must be 1-2048 characters, not only white space.")
    return labels, _optional_bool(params, "Labeled"), source_ref, _optional_bool(params, "HasErrors")


@operation
def list_dataset_entries(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dataset = _readable(ctx.dataset_by_arn(params.get("DatasetArn")))
    filters = _filters(params)
    lines = [json_line(entry) for entry in dataset.entries if matches(entry, *filters)]
    return paged("DatasetEntries", lines, params)


@operation
def list_dataset_labels(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dataset = _readable(ctx.dataset_by_arn(params.get("DatasetArn")))
    return paged("DatasetLabelDescriptions", label_descriptions(dataset.entries), params)


def _changeable(dataset: Dataset) -> Dataset:
    """A create, update or delete in progress refuses another change (ResourceInUseException, as DeleteDataset
    documents); a dataset whose creation failed has nothing to change (ours: InvalidParameterException)."""
    if dataset.status.endswith("_IN_PROGRESS"):
        raise in_use(f"The dataset {dataset.arn} is {dataset.status}.")
    if dataset.status not in READY:
        raise invalid(f"The dataset {dataset.arn} is {dataset.status}; delete it and create it again.")
    return dataset


def _ground_truth(params: dict[str, Any]) -> str:
    changes = params.get("Changes")
    encoded = changes.get("GroundTruth") if isinstance(changes, dict) else None
    if not isinstance(encoded, str):
        raise invalid("Changes.GroundTruth is required.")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid("Changes.GroundTruth is not valid base64.") from exc
    if not 1 <= len(data) <= MAX_CHANGES_BYTES:
        raise invalid(f"Changes.GroundTruth must be 1 to {MAX_CHANGES_BYTES} bytes, got {len(data)}.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid("Changes.GroundTruth must be UTF-8 JSON Lines.") from exc


@operation
def update_dataset_entries(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dataset = _changeable(ctx.dataset_by_arn(params.get("DatasetArn")))
    text = _ground_truth(params)
    try:
        pending = Pending(entries=merged(dataset.entries, text, dataset.dataset_type, dataset.region))
    except DatasetFailure as failure:
        pending = Pending(failure=failure.status_message)
    dataset.begin("UPDATE_IN_PROGRESS", pending)
    return {}


def _pair(ctx: Context, params: dict[str, Any]) -> tuple[Dataset, Dataset]:
    """The training and the test dataset of one project (API_DistributeDatasetEntries)."""
    items = params.get("Datasets")
    if not isinstance(items, list) or len(items) != 2 or not all(isinstance(item, dict) for item in items):
        raise invalid("Datasets must list exactly 2 datasets ({\"Arn\": ...}).")
    found = [ctx.dataset_by_arn(item.get("Arn"), "Datasets.Arn") for item in items]
    by_type = {dataset.dataset_type: dataset for dataset in found}
    if set(by_type) != set(DATASET_TYPES):
        raise invalid("Datasets must be a training (TRAIN) and a test (TEST) dataset.")
    train, test = by_type["TRAIN"], by_type["TEST"]
    if train.project != test.project:
        raise invalid("The training and the test dataset must belong to the same project.")
    return train, test


@operation
def distribute_dataset_entries(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    train, test = _pair(ctx, params)
    for dataset in (train, test):
        if dataset.status not in READY:
            raise not_ready(f"The dataset {dataset.arn} is {dataset.status}.")
    if test.entries:
        raise invalid(f"The test dataset must be empty; it has {len(test.entries)} entries.")
    if not train.entries:
        raise invalid("The training dataset has no entries to distribute.")
    try:
        kept, moved = distributed(train.entries)
        pending_train, pending_test = Pending(entries=kept), Pending(entries=moved)
    except DatasetFailure as failure:
        pending_train = pending_test = Pending(failure=failure.status_message)
    now = time.time()
    train.begin("UPDATE_IN_PROGRESS", pending_train, now)
    test.begin("UPDATE_IN_PROGRESS", pending_test, now)
    return {}


@operation
def delete_dataset(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Refused while CREATE_IN_PROGRESS or UPDATE_IN_PROGRESS (API_DeleteDataset); gone after DELETE_IN_PROGRESS."""
    dataset = ctx.dataset_by_arn(params.get("DatasetArn"))
    if dataset.status in ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"):
        raise in_use(f"The dataset {dataset.arn} is {dataset.status}; delete it when that is done.")
    if dataset.status != "DELETE_IN_PROGRESS":
        dataset.begin("DELETE_IN_PROGRESS", None)
    return {}
