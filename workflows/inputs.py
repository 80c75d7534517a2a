"""Validation of the parents' JSON inputs (pydantic), before anything is created.

One pydantic model per seed workflow type, field for field the dataclass in workflows/models.py (the seed's JSON
names): strict types (a string is not a list, a boolean is not a number), bounds on every number (no inf/nan, no
TTL that overflows a datetime), names checked like Rekognition checks them, unknown fields refused by name (with
"did you mean" for a misspelling such as TtlHours/TTLHours). `parse()` turns the first problem into one line
raised as a non-retryable ApplicationError type InvalidInput, so a bad input fails the workflow at once instead
of failing workflow tasks forever.

To add an input field: add it to the dataclass in models.py and here (tests/workflows/test_inputs.py checks the
two agree).
Pure module (imported in the workflow sandbox through imports_passed_through).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from temporalio.exceptions import ApplicationError

from configuration.names import InvalidNameError, validate_name
from workflows import models, polling

# Bounds. Rekognition gives the minimum (1 inference unit); the maxima are this project's caps, far above any real
# use, so that no number can overflow a timer or reach AWS as nonsense.
MAX_NAME_LENGTH = 255
MAX_VERSIONS = 50
MAX_REGIONS = 50
MAX_MANIFEST_KEY_LENGTH = 1024  # S3's longest object key (bytes)
MAX_TRAINING_HOURS = 72.0
MAX_TTL_HOURS = 24.0 * 366
MAX_INFERENCE_UNITS = 1000
MAX_POLL_INTERVAL_SECONDS = 86_400
NAME_PATTERN = r"^[a-zA-Z0-9_.\-]{1,255}$"
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
Region = Annotated[str, Field(pattern=REGION_PATTERN)]
NAME_FIELDS = {"ProjectName": "project name", "VersionName": "version name", "VersionNames": "version name"}
LIST_FIELDS = {"VersionNames", "Regions"}


def invalid_input(message: str) -> ApplicationError:
    return ApplicationError(message, type="InvalidInput", non_retryable=True)


class _Common(BaseModel):
    """CommonOptions: what every parent accepts on top of the seed's fields."""

    model_config = ConfigDict(strict=True, extra="forbid")

    Regions: Annotated[list[Region], Field(min_length=1, max_length=MAX_REGIONS)] | None = None
    PollIntervalSeconds: Annotated[int, Field(ge=1, le=MAX_POLL_INTERVAL_SECONDS)] | None = None
    Strict: bool = False
    PollPolicy: str | None = None

    @model_validator(mode="after")
    def _common_rules(self):
        if self.PollPolicy is not None:
            polling.validate_policy(self.PollPolicy)  # UnknownPollPolicyError is a ValueError
        if self.Regions is not None and len(set(self.Regions)) != len(self.Regions):
            raise ValueError(f"regions listed twice: {self.Regions}")
        versions = getattr(self, "VersionNames", None) or []
        if len(set(versions)) != len(versions):
            raise ValueError(f"version names listed twice: {versions}")
        return self


Versions = Annotated[list[Name], Field(max_length=MAX_VERSIONS)]


ManifestKey = Annotated[str, Field(min_length=1, max_length=MAX_MANIFEST_KEY_LENGTH)]
TrainingHours = Annotated[float, Field(gt=0, le=MAX_TRAINING_HOURS, allow_inf_nan=False)]
F1 = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]  # Rekognition's F1Score is in [0, 1]


class BuildInput(_Common):
    ProjectName: Name
    ManifestKey: ManifestKey
    VersionName: Name
    MaxTrainingHours: TrainingHours | None = None
    TestManifestKey: ManifestKey | None = None
    CanaryRegion: Region | None = None
    MinF1: F1 | None = None
    MaxFailedRegions: Annotated[int, Field(ge=0, le=MAX_REGIONS)] | None = None
    MaxConcurrentRegions: Annotated[int, Field(ge=1, le=MAX_REGIONS)] | None = None

    @model_validator(mode="after")
    def _rollout_rules(self):
        if self.Regions is not None:  # the configured regions are checked by the run (check_rollout)
            check_rollout(self.CanaryRegion, self.MaxFailedRegions, self.Regions, ValueError)
        return self


class StartInput(_Common):
    ProjectName: Name
    VersionNames: Versions
    MinInferenceUnits: Annotated[int, Field(ge=1, le=MAX_INFERENCE_UNITS)] | None = None
    MaxInferenceUnits: Annotated[int, Field(ge=1, le=MAX_INFERENCE_UNITS)] | None = None
    TtlHours: Annotated[float, Field(ge=0, le=MAX_TTL_HOURS, allow_inf_nan=False)] | None = None  # 0: no cost guard
    MinF1: F1 | None = None

    @model_validator(mode="after")
    def _start_rules(self):
        if not self.VersionNames:
            raise ValueError("VersionNames must name at least one version to start")
        if self.MaxInferenceUnits is not None and self.MaxInferenceUnits < (self.MinInferenceUnits or 1):
            raise ValueError("MaxInferenceUnits must be at least MinInferenceUnits")
        return self


class StopInput(_Common):
    ProjectName: Name
    VersionNames: Versions

    @model_validator(mode="after")
    def _stop_rules(self):
        if not self.VersionNames:
            raise ValueError("VersionNames must name at least one version to stop")
        return self


class DeleteInput(_Common):
    ProjectName: Name
    VersionNames: Versions = []  # empty: every version, then the project


class AdoptInput(_Common):
    ProjectName: Name
    SourceRegion: Region
    VersionName: Name | None = None
    MaxTrainingHours: TrainingHours | None = None


def check_rollout(canary: str | None, max_failed: int | None, regions: list[str], error=None) -> None:
    """A build's rollout fits the regions of its run: the canary is one of them, MaxFailedRegions at most their count.

    Raises `error` (the run: InvalidInput with one line; pydantic: ValueError) naming the run's regions.
    """
    make = error or invalid_input
    if canary is not None and canary not in regions:
        close = difflib.get_close_matches(canary, regions, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise make(f"CanaryRegion {canary} is not one of the run's regions{hint}: {', '.join(regions)}")
    if max_failed is not None and max_failed > len(regions):
        raise make(f"MaxFailedRegions must be at most the number of regions of the run ({len(regions)}), got {max_failed}")


VALIDATORS: dict[type, type[BaseModel]] = {
    models.BuildModelInput: BuildInput,
    models.StartModelInput: StartInput,
    models.StopModelInput: StopInput,
    models.DeleteModelInput: DeleteInput,
    models.AdoptProjectInput: AdoptInput,
}

_PROBLEMS = {
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "missing": "is required",
    "dict_type": "must be an object",
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {str(value)[:40]}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def _line(error: dict, model: type[BaseModel]) -> str:
    """One readable line for pydantic's first error."""
    loc = error.get("loc") or ()
    name = str(loc[0]) if loc else ""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, list(model.model_fields), n=1, cutoff=0.6)
        hint = f": did you mean {close[0]}?" if close else f" (known fields: {', '.join(model.model_fields)})"
        return f"unknown field {name[:80]!r}{hint}"
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg"))
    if value == "" and len(loc) == 1 and kind in ("string_too_short", "string_pattern_mismatch"):
        optional = name in model.model_fields and not model.model_fields[name].is_required()
        return f"{name} must not be empty (leave it out instead)" if optional else f"{name} is required"
    if kind == "string_pattern_mismatch" and name in NAME_FIELDS:
        try:
            validate_name(NAME_FIELDS[name], value)
        except InvalidNameError as exc:
            return str(exc)[:300]
    if kind == "string_pattern_mismatch" and name in ("Regions", "SourceRegion", "CanaryRegion"):
        return f"{name}: {str(value)[:40]!r} is not an AWS region name"
    if name in LIST_FIELDS and (kind == "list_type" or (len(loc) > 1 and kind == "string_type")):
        return f"{name} must be a list of strings, got {_kind(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": "at least", "greater_than": "greater than",
                "less_than_equal": "at most", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"{name} must be {word} {limit}, got {_kind(value)}"
    if kind == "too_short" and name == "Regions":
        return "Regions is empty: name at least one configured region, or leave Regions out for all of them"
    if kind in ("too_short", "too_long"):
        return f"{name} is too {'short' if kind == 'too_short' else 'long'}: {error.get('msg')}"
    problem = _PROBLEMS.get(kind)
    if problem:
        return f"{name} {problem}" + ("" if kind == "missing" else f", got {_kind(value)}")
    return f"{name or 'input'}: {' '.join(str(error.get('msg')).split())}"[:300]


def parse(cls: type, raw: Any) -> Any:
    """The parent's dataclass (`cls`, models.py) from its raw JSON input, or InvalidInput with one line."""
    model = VALIDATORS[cls]
    if not isinstance(raw, dict):
        raise invalid_input(f"the input must be a JSON object with the {cls.__name__} fields, got {_kind(raw)}")
    try:
        checked = model.model_validate(raw)
    except ValidationError as err:
        raise invalid_input(_line(err.errors(include_url=False)[0], model)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as err:  # anything else: still one line
        raise invalid_input(f"input does not fit {cls.__name__}: {' '.join(str(err).split())[:200]}") from None
    return cls(**checked.model_dump())
