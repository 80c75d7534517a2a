"""Projects and model versions per account and region, and the state machine that moves them.

Transitions are evaluated lazily (on every API call, control call and a background tick) against the
current timing configuration: after N seconds ("time"), after N DescribeProjectVersions calls that saw the
transitional state ("calls"), or only when told to ("manual", via advance).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..config import EmulatorConfig
from .manifest import Dataset
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
    dataset: Dataset | None = None
    validation: Validation | None = None  # what validating the datasets found, decided at creation
    validation_written: bool = False  # the validation results are in S3 and DescribeProjectVersions names them
    failure: str | None = None  # why training will fail (dataset problems), decided at creation
    status_message: str = ""
    training_end: float | None = None
    min_units: int | None = None
    max_units: int | None = None
    f1_score: float | None = None


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
        key = TRANSITIONS[item.status][0]
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
                    if project.status == "DELETING" and not project.versions and self._due(project, project.region, now):
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
                    if item.status == "DELETING" and not item.versions and not version:
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
