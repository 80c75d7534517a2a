"""Adopt, reading side: the source project as Custom Labels describes it, and its data staged in the management bucket.

Nothing here writes to the source region: the source project, its datasets and its buckets are only read
(DescribeProjects, DescribeProjectVersions, ListDatasetEntries, GetObject). Everything written goes to the
management bucket under activities/adopt_layout.py's keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from math import ceil

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import adopt_layout as layout
from activities.clients import ClientFactory
from activities.dataset import MultipartWriter
from activities.errors import aws_call, permanent
from activities.manifest import ManifestLineError, source_ref, split_s3_uri, with_source_ref
from activities.rekognition import RekognitionActivities, version_name_from_arn
from configuration.jsonlines import ManifestHasBom, ManifestTooLongLine, iter_lines
from workflows import activity_api as api
from workflows.models import (
    DATASET,
    FROM_DATASETS,
    FROM_VERSION,
    MANIFEST,
    TRAINED_STATUSES,
    AdoptSource,
    AdoptSourceInput,
    DataSource,
    ImageBatch,
    NamedVersionInput,
    NamedVersionScore,
    StageAdoptionInput,
    StagedAdoption,
)

HEARTBEAT_EVERY = 200  # entries
MIN_BATCH_IMAGES = 100  # images copied per activity (the unit a worker crash can cost at most)
MAX_BATCHES = 500  # so that a quarter of a million images still makes a workflow history of ~3,000 events
READY_DATASET = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
BUSY_DATASET = {"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"}
SERVICE_KEYS = ("cl-metadata", "cl-errors")  # ListDatasetEntries adds them to each JSON Line


def _manifest(result: dict | None, part: str) -> DataSource | None:
    """The first Ground Truth manifest of `result[part]` (TrainingDataResult/TestingDataResult Input or Output)."""
    for asset in ((result or {}).get(part) or {}).get("Assets") or []:
        s3_object = (asset.get("GroundTruthManifest") or {}).get("S3Object") or {}
        if s3_object.get("Bucket") and s3_object.get("Name"):
            return DataSource(MANIFEST, bucket=s3_object["Bucket"], key=s3_object["Name"])
    return None


def version_data(description: dict) -> tuple[DataSource | None, DataSource | None]:
    """(training, testing) manifests of a version, as its description names them.

    A version trained with an explicit test manifest: the Input manifests, as the user gave them. A version whose
    test set was split off automatically (TestingData AutoCreate) or trained from datasets: the Output manifests,
    the split Custom Labels actually used (the Input training manifest also holds the test images). Without Output
    (not written yet), the training Input and no test set.
    """
    training, testing = description.get("TrainingDataResult"), description.get("TestingDataResult")
    if _manifest(training, "Input") and _manifest(testing, "Input"):
        return _manifest(training, "Input"), _manifest(testing, "Input")
    if _manifest(training, "Output"):
        return _manifest(training, "Output"), _manifest(testing, "Output")
    return _manifest(training, "Input"), None


def ground_truth_line(entry: str) -> bytes:
    """A ListDatasetEntries entry as a manifest line: the JSON Line without what the service adds to it
    (`cl-metadata`, whether it is labeled, and `cl-errors`, its non-terminal errors), which are no label attribute.
    A line that is not a JSON object is passed on as is (the staging reports it)."""
    try:
        record = json.loads(entry)
    except ValueError:
        return entry.encode()
    if not isinstance(record, dict):
        return entry.encode()
    for key in SERVICE_KEYS:
        record.pop(key, None)
    return json.dumps(record, ensure_ascii=False).encode()


def _created(description: dict) -> float:
    created = description.get("CreationTimestamp")
    return created.timestamp() if hasattr(created, "timestamp") else float(created or 0)


def describe(source: DataSource) -> str:
    return f"dataset {source.dataset_arn}" if source.kind == DATASET else f"manifest s3://{source.bucket}/{source.key}"


def batches(offsets: list[int], size: int) -> list[ImageBatch]:
    """ImageBatch slices of `size` lines, given the byte offset where each line starts (and the end, last)."""
    lines = len(offsets) - 1
    return [ImageBatch(first, min(size, lines - first), offsets[first], offsets[min(first + size, lines)])
            for first in range(0, lines, size)]


def batch_size(images: int) -> int:
    return max(MIN_BATCH_IMAGES, ceil(images / MAX_BATCHES))


class AdoptSourceActivities:
    def __init__(self, clients: ClientFactory):
        self.clients = clients
        self.rekognition = RekognitionActivities(clients)

    # ------------------------------------------------------------------ the source project

    @activity.defn(name=api.DESCRIBE_ADOPT_SOURCE)
    def describe_source(self, inp: AdoptSourceInput) -> AdoptSource:
        """The version to adopt (named, or the newest trained one), its F1, and where the data to copy is."""
        project = self.rekognition.find_project(inp.region, inp.project)
        if project is None:
            raise permanent(f"project {inp.project} not found in {inp.region}", "SourceNotFound")
        if project.get("Status") == "DELETING":
            raise permanent(f"project {inp.project} in {inp.region} is being deleted", "SourceNotFound")
        versions = self.rekognition.versions(inp.region, project["ProjectArn"], None)
        chosen = self._chosen_version(inp, versions)
        name = version_name_from_arn(chosen["ProjectVersionArn"])
        f1 = (chosen.get("EvaluationResult") or {}).get("F1Score")
        datasets = {d.get("DatasetType"): d for d in project.get("Datasets") or []}
        if inp.version is None and "TRAIN" in datasets:
            train = self._ready_dataset(inp, datasets["TRAIN"])
            test = self._ready_dataset(inp, datasets["TEST"]) if "TEST" in datasets else None
            return AdoptSource(project["ProjectArn"], name, chosen.get("Status"), f1, FROM_DATASETS, train, test)
        train, test = version_data(chosen)
        if train is None:
            raise permanent(f"version {name} of project {inp.project} in {inp.region} names no training manifest "
                            "(TrainingDataResult) and the project has no TRAIN dataset: nothing to copy",
                            "SourceHasNoData")
        return AdoptSource(project["ProjectArn"], name, chosen.get("Status"), f1, FROM_VERSION, train, test)

    @staticmethod
    def _chosen_version(inp: AdoptSourceInput, versions: list[dict]) -> dict:
        """The named version, else the newest with a trained model; a version without one cannot be compared."""
        named = {version_name_from_arn(v["ProjectVersionArn"]): v for v in versions}
        where = f"project {inp.project} in {inp.region}"
        if inp.version is not None:
            if inp.version not in named:
                known = ", ".join(sorted(named)) or "none"
                raise permanent(f"version {inp.version} of {where} not found (versions: {known})", "SourceNotFound")
            chosen = named[inp.version]
            if chosen.get("Status") not in TRAINED_STATUSES:
                raise permanent(f"version {inp.version} of {where} is {chosen.get('Status')}: adopt a trained version",
                                "SourceNotTrained")
            return chosen
        trained = [v for v in versions if v.get("Status") in TRAINED_STATUSES]
        if not trained:
            raise permanent(f"{where} has no trained version: train it there first, then adopt it", "SourceNotTrained")
        return max(trained, key=_created)

    @staticmethod
    def _ready_dataset(inp: AdoptSourceInput, metadata: dict) -> DataSource:
        """A dataset whose entries are settled; one being created or updated is waited for (retried)."""
        status, arn = metadata.get("Status"), metadata["DatasetArn"]
        what = f"{metadata.get('DatasetType')} dataset of project {inp.project} in {inp.region}"
        if status in BUSY_DATASET:
            raise ApplicationError(f"the {what} is {status}: waiting until it is complete", type="DatasetNotReady")
        if status not in READY_DATASET:
            raise permanent(f"the {what} is {status} ({metadata.get('StatusMessage') or '-'}): fix it in the console "
                            "or adopt a version (--version)", "SourceHasNoData")
        return DataSource(DATASET, dataset_arn=arn)

    @activity.defn(name=api.DESCRIBE_EVALUATION)
    def describe_evaluation(self, inp: NamedVersionInput) -> NamedVersionScore:
        """A version's status and F1 (EvaluationResult.F1Score), or exists=False."""
        project = self.rekognition.find_project(inp.region, inp.project)
        if project is None:
            return NamedVersionScore(inp.region, False)
        try:
            found = self.rekognition.versions(inp.region, project["ProjectArn"], [inp.version])
        except ApplicationError as err:
            if err.type == "ResourceNotFoundException":  # the project was deleted between the two calls
                return NamedVersionScore(inp.region, False)
            raise
        found = [v for v in found if version_name_from_arn(v["ProjectVersionArn"]) == inp.version]
        if not found:
            return NamedVersionScore(inp.region, False)
        return NamedVersionScore(inp.region, True, found[0].get("Status"),
                                 (found[0].get("EvaluationResult") or {}).get("F1Score"))

    # ------------------------------------------------------------------ staging

    @activity.defn(name=api.STAGE_ADOPTION)
    def stage(self, inp: StageAdoptionInput) -> StagedAdoption:
        """Write the training (and test) manifest with source-refs pointing at the copies, and the list of images.

        Streams the entries (ListDatasetEntries pages, or the manifest's lines) straight into multipart uploads;
        only the distinct image URIs are held, to sort them into the copy list. A retry writes the same objects
        again (same keys, same content for the same source).
        """
        images: set[str] = set()
        counts: dict[str, int] = {}
        for purpose, source in (("train", inp.train), ("test", inp.test)):
            if source is not None:
                counts[purpose] = self._write_manifest(inp, purpose, source, images)
        ordered = sorted(images)
        key = layout.images_list_key(inp.project, inp.version)
        writer = MultipartWriter(self.clients("s3", inp.management_region), inp.management_bucket, key,
                                 inp.management_region)
        offsets = [0]
        try:
            for uri in ordered:
                writer.write(json.dumps(uri).encode() + b"\n")
                offsets.append(writer.size)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        test_key = layout.manifest_key(inp.project, inp.version, "test") if inp.test is not None else None
        return StagedAdoption(layout.manifest_key(inp.project, inp.version, "train"), counts["train"], test_key,
                              counts.get("test", 0), key, len(ordered), batches(offsets, batch_size(len(ordered))))

    def _write_manifest(self, inp: StageAdoptionInput, purpose: str, source: DataSource, images: set[str]) -> int:
        key = layout.manifest_key(inp.project, inp.version, purpose)
        writer = MultipartWriter(self.clients("s3", inp.management_region), inp.management_bucket, key,
                                 inp.management_region)
        entries = 0
        try:
            for number, line in enumerate(self._lines(inp.source_region, source), start=1):
                if not line.strip():
                    continue
                try:
                    uri = source_ref(line)
                    bucket, image_key = split_s3_uri(uri)
                except ManifestLineError as exc:
                    raise permanent(f"{describe(source)} entry {number}: {exc}", "InvalidManifestException") from None
                copy = f"s3://{inp.management_bucket}/{layout.copied_image_key(inp.project, bucket, image_key)}"
                writer.write(with_source_ref(line, uri, copy) + b"\n")
                images.add(uri)
                entries += 1
                if entries % HEARTBEAT_EVERY == 0:
                    activity.heartbeat(purpose, entries)
            if not entries:
                raise permanent(f"{describe(source)} ({purpose}) has no entries: nothing to train on", "SourceHasNoData")
            writer.close()
        except BaseException:
            writer.abort()
            raise
        return entries

    def _lines(self, region: str, source: DataSource) -> Iterator[bytes]:
        if source.kind == DATASET:
            paginator = self.clients("rekognition", region).get_paginator("list_dataset_entries")
            with aws_call(region, "ListDatasetEntries"):
                for page in paginator.paginate(DatasetArn=source.dataset_arn):
                    for entry in page.get("DatasetEntries", []):
                        yield ground_truth_line(entry)
            return
        uri = f"s3://{source.bucket}/{source.key}"
        try:
            with aws_call(region, "GetObject"):
                body = self.clients("s3", region).get_object(Bucket=source.bucket, Key=source.key)["Body"]
        except ApplicationError as err:
            if err.non_retryable:
                raise permanent(f"cannot read manifest {uri}: {err.message}", "SourceHasNoData") from None
            raise
        try:
            yield from iter_lines(body.read)
        except (ManifestHasBom, ManifestTooLongLine) as exc:
            raise permanent(f"manifest {uri} {exc}", "InvalidManifestException") from None
        finally:
            body.close()
