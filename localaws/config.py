"""Runtime settings of the emulator (timing of state transitions, replication delay, faults).

One `EmulatorConfig` per server, changed through the control API; every read goes through it so a change
applies at once, including to versions already in a transitional state.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

TRANSITIONAL_STATES = ("TRAINING", "STARTING", "STOPPING", "DELETING", "DATASET")
TIMING_MODES = ("time", "calls", "manual")
THROTTLE_ERRORS = ("ThrottlingException", "ProvisionedThroughputExceededException")

DEFAULTS: dict[str, Any] = {
    "timing": {
        "mode": "time",
        "TRAINING": 4.0,
        "STARTING": 2.0,
        "STOPPING": 1.0,
        "DELETING": 1.0,
        "DATASET": 1.0,  # a dataset's CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS (DELETE_IN_PROGRESS uses DELETING)
        "per_region": {},
    },
    "replication_delay_seconds": 0.2,
    "faults": {
        "throttle_rate": 0.0,
        "throttle_operations": [],
        "throttle_seed": 1,
        "throttle_error": "ThrottlingException",
        "down_regions": [],
        "fail_training": [],
        "sns_down": False,
    },
    # IAM policy evaluation for keys the endpoint issued (localaws/iam); off by default for speed.
    "iam": {"enforce": False},
    # Evaluation figures a training writes (F1, precision, recall in [0, 1]); unset figures are derived from a hash
    # of region/project/version. Later blocks win: default < per_version[version] < per_region[region].
    "evaluation": {"default": {}, "per_version": {}, "per_region": {}},
    # DetectCustomLabels answers that differ by region: bias_label (that class becomes every image's top label
    # when the model knows it), salt (a different but deterministic answer per image).
    "detection": {"per_region": {}},
}
EVALUATION_FIGURES = ("f1", "precision", "recall")
DETECTION_SETTINGS = ("bias_label", "salt")


class ConfigError(ValueError):
    """A control-API request carried a setting that makes no sense."""


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{where} must be a number >= 0, got {value!r}")
    return float(value)


def _check_timing_block(block: dict[str, Any], where: str) -> None:
    for key, value in block.items():
        if key == "mode":
            if value not in TIMING_MODES:
                raise ConfigError(f"{where}.mode must be one of {', '.join(TIMING_MODES)}, got {value!r}")
        elif key in TRANSITIONAL_STATES:
            _number(value, f"{where}.{key}")
        elif key != "per_region":
            raise ConfigError(f"unknown timing setting {where}.{key}")


def _check(config: dict[str, Any]) -> None:
    unknown = set(config) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
    timing = config["timing"]
    _check_timing_block(timing, "timing")
    if not isinstance(timing["per_region"], dict):
        raise ConfigError("timing.per_region must be an object keyed by region")
    for region, block in timing["per_region"].items():
        if not isinstance(block, dict):
            raise ConfigError(f"timing.per_region.{region} must be an object")
        if "per_region" in block:
            raise ConfigError("timing.per_region cannot nest")
        _check_timing_block(block, f"timing.per_region.{region}")
    _number(config["replication_delay_seconds"], "replication_delay_seconds")
    faults = config["faults"]
    unknown = set(faults) - set(DEFAULTS["faults"])
    if unknown:
        raise ConfigError(f"unknown fault settings: {', '.join(sorted(unknown))}")
    rate = _number(faults["throttle_rate"], "faults.throttle_rate")
    if rate > 1:
        raise ConfigError("faults.throttle_rate must be between 0 and 1")
    if faults["throttle_error"] not in THROTTLE_ERRORS:
        raise ConfigError(f"faults.throttle_error must be one of {', '.join(THROTTLE_ERRORS)}")
    for name in ("throttle_operations", "down_regions", "fail_training"):
        if not isinstance(faults[name], list):
            raise ConfigError(f"faults.{name} must be a list")
    for rule in faults["fail_training"]:
        if not isinstance(rule, dict) or set(rule) - {"region", "project", "version", "message"}:
            raise ConfigError("faults.fail_training entries are objects with region/project/version/message")
    if not isinstance(faults["sns_down"], bool):
        raise ConfigError("faults.sns_down must be true or false")
    iam = config["iam"]
    if not isinstance(iam, dict) or set(iam) - {"enforce"} or not isinstance(iam.get("enforce"), bool):
        raise ConfigError('iam must be {"enforce": true|false}')
    _check_evaluation(config["evaluation"])
    _check_detection(config["detection"])


def _check_figures(block: Any, where: str) -> None:
    if not isinstance(block, dict):
        raise ConfigError(f"{where} must be an object of {', '.join(EVALUATION_FIGURES)}")
    for name, value in block.items():
        if name not in EVALUATION_FIGURES:
            raise ConfigError(f"unknown evaluation figure {where}.{name} (known: {', '.join(EVALUATION_FIGURES)})")
        if _number(value, f"{where}.{name}") > 1:
            raise ConfigError(f"{where}.{name} must be between 0 and 1, got {value!r}")


def _check_evaluation(evaluation: Any) -> None:
    if not isinstance(evaluation, dict) or set(evaluation) - {"default", "per_version", "per_region"}:
        raise ConfigError("evaluation takes default, per_version and per_region")
    _check_figures(evaluation["default"], "evaluation.default")
    for scope in ("per_version", "per_region"):
        if not isinstance(evaluation[scope], dict):
            raise ConfigError(f"evaluation.{scope} must be an object keyed by {scope[4:]}")
        for name, block in evaluation[scope].items():
            _check_figures(block, f"evaluation.{scope}.{name}")


def _check_detection(detection: Any) -> None:
    if not isinstance(detection, dict) or set(detection) - {"per_region"} or not isinstance(detection["per_region"], dict):
        raise ConfigError("detection takes per_region, an object keyed by region")
    for region, block in detection["per_region"].items():
        where = f"detection.per_region.{region}"
        if not isinstance(block, dict) or set(block) - set(DETECTION_SETTINGS):
            raise ConfigError(f"{where} takes {', '.join(DETECTION_SETTINGS)}")
        for name, value in block.items():
            if value is not None and not (isinstance(value, str) and value):
                raise ConfigError(f"{where}.{name} must be a non-empty string or null")


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge objects; lists and scalars replace."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class EmulatorConfig:
    """Thread-safe holder of the current settings, with validated merges."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        """`initial` (checked) replaces the defaults, also for reset(): `--enforce-iam` survives a reset."""
        self._lock = threading.Lock()
        self._initial = _merge(DEFAULTS, initial or {})
        _check(self._initial)
        self._config = copy.deepcopy(self._initial)
        self.version = 0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._config)

    def merge(self, update: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(update, dict):
            raise ConfigError("the configuration must be a JSON object")
        with self._lock:
            merged = _merge(self._config, update)
            _check(merged)
            self._config = merged
            self.version += 1
            return copy.deepcopy(merged)

    def reset(self) -> None:
        with self._lock:
            self._config = copy.deepcopy(self._initial)
            self.version += 1

    # Readers used on every request: cheap, no deep copies.
    def timing_for(self, region: str, state: str) -> tuple[str, float]:
        """(mode, amount) for a transitional state in a region: per-region values win over global ones."""
        with self._lock:
            timing = self._config["timing"]
            local = timing["per_region"].get(region, {})
            mode = local.get("mode", timing["mode"])
            amount = local.get(state, timing[state])
            return mode, float(amount)

    def faults(self) -> dict[str, Any]:
        with self._lock:
            return self._config["faults"]

    def iam_enforced(self) -> bool:
        with self._lock:
            return bool(self._config["iam"]["enforce"])

    def evaluation_for(self, region: str, project: str, version: str) -> dict[str, float]:
        """The evaluation figures set for this version in this region (possibly none: derive them)."""
        with self._lock:
            evaluation = self._config["evaluation"]
            return {**evaluation["default"], **evaluation["per_version"].get(version, {}),
                    **evaluation["per_region"].get(region, {})}

    def detection_for(self, region: str) -> dict[str, str | None]:
        with self._lock:
            return dict(self._config["detection"]["per_region"].get(region, {}))

    def replication_delay(self) -> float:
        with self._lock:
            return float(self._config["replication_delay_seconds"])
