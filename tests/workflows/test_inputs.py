"""Input validation (workflows/inputs.py) and bounded workflow ids (workflows/ids.py), without a server.

Each case is a failure from issue 15 (numbers that overflowed timers, misspelled fields silently ignored,
ids over Temporal's 1,000-character limit); the server-side behaviour is in test_seed_inputs_property.py.
"""

import dataclasses
import math

import pytest
from temporalio.exceptions import ApplicationError

from cli_commands.launch import OperationRequest
from workflows import inputs, models
from workflows.cost_guard import cost_guard_workflow_id, stop_workflow_id
from workflows.ids import MAX_WORKFLOW_ID_LENGTH, bounded_id, child_id
from workflows.region import version_workflow_id

START = {"ProjectName": "AWSDeepRacer", "VersionNames": ["first"]}


def problem(cls, raw) -> str:
    with pytest.raises(ApplicationError) as raised:
        inputs.parse(cls, raw)
    assert raised.value.type == "InvalidInput" and raised.value.non_retryable
    assert "\n" not in raised.value.message and len(raised.value.message) < 400
    return raised.value.message


@pytest.mark.parametrize("field,value", [
    ("TtlHours", 1e9), ("TtlHours", math.inf), ("TtlHours", math.nan), ("TtlHours", 10**400), ("TtlHours", -1),
    ("MinInferenceUnits", 10**23), ("MaxInferenceUnits", 10**23), ("PollIntervalSeconds", 10**12),
    ("PollIntervalSeconds", 0),
])
def test_numbers_are_bounded(field, value):
    assert field in problem(models.StartModelInput, {**START, field: value})


@pytest.mark.parametrize("value", [1e9, math.inf, -1.0, 73])
def test_max_training_hours_is_bounded(value):
    raw = {"ProjectName": "P", "ManifestKey": "k", "VersionName": "v", "MaxTrainingHours": value}
    assert "MaxTrainingHours" in problem(models.BuildModelInput, raw)


@pytest.mark.parametrize("typo,meant", [("TTLHours", "TtlHours"), ("MinInferenceUnit", "MinInferenceUnits"),
                                        ("versionNames", "VersionNames")])
def test_misspelled_fields_are_refused_by_name(typo, meant):
    message = problem(models.StartModelInput, {**START, typo: 2})
    assert typo in message and f"did you mean {meant}" in message


def test_names_and_regions_are_checked():
    assert "invalid version name" in problem(models.StopModelInput, {"ProjectName": "P", "VersionNames": ["a b"]})
    assert "invalid project name" in problem(models.StopModelInput, {"ProjectName": "x" * 256, "VersionNames": ["a"]})
    assert "not an AWS region" in problem(models.StopModelInput, {**START, "Regions": ["../etc"]})


def test_the_seed_inputs_still_parse():
    built = inputs.parse(models.BuildModelInput, {"ProjectName": "AWSDeepRacer", "ManifestKey": "assets/x.manifest",
                                                  "VersionName": "first"})
    assert built == models.BuildModelInput(ProjectName="AWSDeepRacer", ManifestKey="assets/x.manifest",
                                           VersionName="first")
    started = inputs.parse(models.StartModelInput, {**START, "MinInferenceUnits": 1})
    assert started.MinInferenceUnits == 1 and started.VersionNames == ["first"]
    assert inputs.parse(models.StopModelInput, START).VersionNames == ["first"]
    assert inputs.parse(models.DeleteModelInput, {"ProjectName": "AWSDeepRacer", "VersionNames": []}).VersionNames == []


@pytest.mark.parametrize("cls", list(inputs.VALIDATORS))
def test_every_dataclass_field_is_validated_and_nothing_else(cls):
    """A field added to a dataclass in models.py must be added to its model in inputs.py (and the reverse)."""
    assert {f.name for f in dataclasses.fields(cls)} == set(inputs.VALIDATORS[cls].model_fields)


@pytest.mark.parametrize("cls", list(inputs.VALIDATORS))
def test_a_python_caller_dataclass_round_trips(cls):
    required = {"ProjectName": "P", "ManifestKey": "k", "VersionName": "v", "VersionNames": ["v"],
                "SourceRegion": "us-west-2"}
    instance = cls(**{k: v for k, v in required.items() if k in {f.name for f in dataclasses.fields(cls)}})
    assert inputs.parse(cls, dataclasses.asdict(instance)) == instance


LONG = ["v" * 255, "w" * 255, "x" * 255, "y" * 255]


def test_ids_from_the_longest_valid_names_stay_within_the_limit_and_are_deterministic():
    project = "p" * 255
    ids = [
        OperationRequest("start", project, LONG, []).workflow_id,
        cost_guard_workflow_id(project, LONG),
        stop_workflow_id(project, LONG),
        child_id("z" * 1000, "ap-southeast-2"),
        version_workflow_id(project, "ap-southeast-2", LONG[0]),
    ]
    assert all(len(i.encode()) <= MAX_WORKFLOW_ID_LENGTH for i in ids)
    assert ids[0].startswith(f"start/{project}/") and ids[0] == OperationRequest("start", project, LONG, []).workflow_id
    assert cost_guard_workflow_id(project, LONG) != cost_guard_workflow_id(project, LONG[:3] + ["q" * 255])


def test_short_ids_are_unchanged():
    assert bounded_id("start/AWSDeepRacer/first") == "start/AWSDeepRacer/first"
    assert cost_guard_workflow_id("AWSDeepRacer", ["first"]) == "ttl/AWSDeepRacer/first"
    assert child_id("build/P/v", "eu-west-1") == "build/P/v/eu-west-1"
