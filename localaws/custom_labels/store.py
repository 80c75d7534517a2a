"""Projects, model versions and datasets per account and region, and the state machine that moves them.

Transitions are evaluated lazily (on every API call, control call and a background tick) against the
current timing configuration: after N seconds ("time"), after N describe calls that saw the transitional
state ("calls": DescribeProjectVersions for versions, DescribeDataset or DescribeProjects listing it for
datasets), or only when told to ("manual", via advance).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..config import EmulatorConfig
from .manifest import Dataset as TrainedData
from .manifest import Entry
from .training_rules import Validation

# Transitional state -> (config key, state reached on success)
TRANSITIONS = {
    "TRAINING_IN_PROGRESS": ("TRAINING", "TRAINING_COMPLETED"),
    "STARTING": ("STARTING", "RUNNING"),
    "STOPPING": ("STOPPING", "STOPPED"),
    "DELETING": ("DELETING", None),  # None = the resource disappears
}

STATUS_MESSAGES = {
    "TRAINING_IN_PROGRESS": "The model is being trained.",
    "TRAINING_COMPLETED": "The model is ready to run.",
    "STARTING": "The model is starting.",
    "RUNNING": "The model is running.",
    "STOPPING": "The model is being stopped.",
    "STOPPED": "The model is ready to run.",
    "DELETING": "The model is being deleted.",
}

# Dataset state -> (config key, state reached on success, state reached on failure); None = it disappears.
DATASET_TRANSITIONS = {
    "CREATE_IN_PROGRESS": ("DATASET", "CREATE_COMPLETE", "CREATE_FAILED"),
    "UPDATE_IN_PROGRESS": ("DATASET", "UPDATE_COMPLETE", "UPDATE_FAILED"),
    "DELETE_IN_PROGRESS": ("DELETING", None, None),
}
# AWS documents the states, not the wording of their messages: these are ours.
DATASET_MESSAGES = {
    "CREATE_IN_PROGRESS": "The dataset is being created.",
    "CREATE_COMPLETE": "The dataset was created.",
    "UPDATE_IN_PROGRESS": "The dataset is being updated.",
    "UPDATE_COMPLETE": "The dataset was updated.",
    "DELETE_IN_PROGRESS": "The dataset is being deleted.",
}


@dataclass
class Timed:
    """Something with a status that may be transitional."""

    status: str
    entered_at: float = field(default_factory=time.time)
    seen_calls: int = 0
    history: list[tuple[str, float]] = field(default_factory=list)

    def enter(self, status: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.status = status
        self.entered_at = now
        self.seen_calls = 0
        self.history.append((status, now))


@dataclass
class Version(Timed):
    account: str = ""
    region: str = ""
    project: str = ""
    name: str = ""
    arn: str = ""
    created_at: float = 0.0
    request: dict[str, Any] = field(default_factory=dict)
    dataset: TrainedData | None = None
    validation: Validation | None = None  # what validating the datasets found, decided at creation
    validation_written: bool = False  # the validation results are in S3 and DescribeProjectVersions names them
    failure: str | None = None  # why training will fail (dataset problems), decided at creation
    status_message: str = ""
    training_end: float | None = None
    min_units: int | None = None
    max_units: int | None = None
    f1_score: float | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Pending:
    """What an asynchronous dataset change will leave once it completes: new entries, or why it fails."""

    entries: list[Entry] | None = None
    failure: str | None = None


@dataclass
class Dataset(Timed):
    account: str = ""
    region: str = ""
    project: str = ""
    dataset_type: str = "TRAIN"  # TRAIN | TEST
    arn: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    entries: list[Entry] = field(default_factory=list)
    pending: Pending | None = None
    status_message: str = ""
    status_message_code: str = "SUCCESS"  # SUCCESS | SERVICE_ERROR | CLIENT_ERROR
    tags: dict[str, str] = field(default_factory=dict)

    def begin(self, status: str, pending: Pending | None, now: float | None = None) -> None:
        self.enter(status, now)
        self.updated_at = self.entered_at
        self.pending = pending
        self.status_message, self.status_message_code = DATASET_MESSAGES[status], "SUCCESS"


@dataclass
class ProjectPolicy:
    name: str
    document: str
    revision_id: str
    created_at: float
    updated_at: float


@dataclass
class Project(Timed):
    account: str = ""
    region: str = ""
    name: str = ""
    arn: str = ""
    created_at: float = 0.0
    feature: str = "CUSTOM_LABELS"
    auto_update: str | None = None
    versions: dict[str, Version] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)  # by type: TRAIN, TEST
    policies: dict[str, ProjectPolicy] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


class Store:
    """All Custom Labels state of one emulator. Callers hold `lock` around reads and changes."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.projects: dict[tuple[str, str], dict[str, Project]] = {}
        self.on_training_ended = None  # callback(version, succeeded) to write validation results and outputs to S3

    def reset(self) -> None:
        with self.lock:
            self.projects.clear()

    def region_projects(self, account: str, region: str) -> dict[str, Project]:
        return self.projects.setdefault((account, region), {})

    def all_versions(self) -> list[Version]:
        return [v for projects in self.projects.values() for p in projects.values() for v in p.versions.values()]

    # --- transitions -------------------------------------------------------------------------------
    def _due(self, item: Timed, region: str, now: float) -> bool:
        key = (TRANSITIONS.get(item.status) or DATASET_TRANSITIONS[item.status])[0]
        mode, amount = self.config.timing_for(region, key)
        if mode == "time":
            return now - item.entered_at >= amount
        if mode == "calls":
            return item.seen_calls >= amount
        return False

    def _training_outcome(self, version: Version) -> str | None:
        """Failure message if this training fails (bad manifest or injected fault)."""
        if version.failure:
            return version.failure
        for rule in self.config.faults().get("fail_training", []):
            if all(
                rule.get(attr) in (None, getattr(version, name))
                for attr, name in (("region", "region"), ("project", "project"), ("version", "name"))
            ):
                return rule.get("message") or "Training failed: injected fault (localaws fail_training)."
        return None

    def complete(self, version: Version, now: float) -> dict[str, Any] | None:
        """Finish the version's current transition; returns what moved (or None if not transitional)."""
        if version.status not in TRANSITIONS:
            return None
        before = version.status
        target = TRANSITIONS[before][1]
        if before == "TRAINING_IN_PROGRESS":
            failure = self._training_outcome(version)
            version.training_end = now
            if failure:
                version.enter("TRAINING_FAILED", now)
                version.status_message = failure
            else:
                version.enter("TRAINING_COMPLETED", now)
                version.status_message = STATUS_MESSAGES["TRAINING_COMPLETED"]
            # An injected fault stands for a service error: AWS then leaves the results out of the description.
            if self.on_training_ended and (not failure or failure == version.failure):
                self.on_training_ended(version, not failure)
        elif target is None:
            project = self.region_projects(version.account, version.region).get(version.project)
            if project:
                project.versions.pop(version.name, None)
            version.enter("DELETED", now)
        else:
            version.enter(target, now)
            version.status_message = STATUS_MESSAGES[target]
        return {
            "region": version.region,
            "project": version.project,
            "version": version.name,
            "from": before,
            "to": version.status,
        }

    def complete_dataset(self, dataset: Dataset, now: float) -> dict[str, Any]:
        """Finish the dataset's create, update or delete: apply the pending entries, or fail with its reason."""
        before = dataset.status
        _, success, failed = DATASET_TRANSITIONS[before]
        pending, dataset.pending = dataset.pending or Pending(), None
        if success is None:
            project = self.region_projects(dataset.account, dataset.region).get(dataset.project)
            if project and project.datasets.get(dataset.dataset_type) is dataset:
                project.datasets.pop(dataset.dataset_type)
            dataset.enter("DELETED", now)
        elif pending.failure:
            dataset.enter(failed, now)
            dataset.status_message, dataset.status_message_code = pending.failure, "CLIENT_ERROR"
        else:
            if pending.entries is not None:
                dataset.entries = pending.entries
            dataset.enter(success, now)
            dataset.status_message, dataset.status_message_code = DATASET_MESSAGES[success], "SUCCESS"
        dataset.updated_at = now
        return {"region": dataset.region, "project": dataset.project, "version": None,
                "dataset": dataset.dataset_type, "from": before, "to": dataset.status}

    def _settle_datasets(self, project: Project, now: float, forced: bool = False) -> list[dict[str, Any]]:
        moved = []
        for dataset in list(project.datasets.values()):
            if dataset.status in DATASET_TRANSITIONS and (forced or self._due(dataset, dataset.region, now)):
                moved.append(self.complete_dataset(dataset, now))
        return moved

    def complete_project_deletion(self, project: Project, now: float) -> dict[str, Any]:
        self.region_projects(project.account, project.region).pop(project.name, None)
        project.enter("DELETED", now)
        return {"region": project.region, "project": project.name, "version": None, "from": "DELETING", "to": "DELETED"}

    def settle(self, now: float | None = None) -> list[dict[str, Any]]:
        """Apply every transition that is due under the current timing configuration."""
        now = time.time() if now is None else now
        moved = []
        with self.lock:
            for projects in list(self.projects.values()):
                for project in list(projects.values()):
                    for version in list(project.versions.values()):
                        # Loop: with zero durations a version may pass several states in one settle.
                        while version.status in TRANSITIONS and self._due(version, version.region, now):
                            moved.append(self.complete(version, now))
                    moved.extend(self._settle_datasets(project, now))
                    if project.status == "DELETING" and not project.versions and not project.datasets and self._due(project, project.region, now):
                        moved.append(self.complete_project_deletion(project, now))
        return moved

    def advance(self, region: str | None, project: str | None, version: str | None) -> list[dict[str, Any]]:
        """Complete pending transitions now, whatever the mode (manual mode's only way forward)."""
        now = time.time()
        moved = []
        with self.lock:
            for (_, item_region), projects in list(self.projects.items()):
                if region and item_region != region:
                    continue
                for item in list(projects.values()):
                    if project and item.name != project:
                        continue
                    for candidate in list(item.versions.values()):
                        if version and candidate.name != version:
                            continue
                        if candidate.status in TRANSITIONS:
                            moved.append(self.complete(candidate, now))
                    if not version:
                        moved.extend(self._settle_datasets(item, now, forced=True))
                    if item.status == "DELETING" and not item.versions and not item.datasets and not version:
                        moved.append(self.complete_project_deletion(item, now))
        return moved

    def describe_all(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = []
            for version in self.all_versions():
                rows.append(
                    {
                        "account": version.account,
                        "region": version.region,
                        "project": version.project,
                        "version": version.name,
                        "arn": version.arn,
                        "status": version.status,
                        "status_message": version.status_message,
                        "entered_at": version.entered_at,
                        "history": [{"status": s, "at": t} for s, t in version.history],
                        "min_inference_units": version.min_units,
                        "max_inference_units": version.max_units,
                        "classes": version.dataset.classes if version.dataset else [],
                    }
                )
            return rows
