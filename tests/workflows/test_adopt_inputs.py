"""adopt's input (workflows/inputs.AdoptInput), BuildModelInput.TestManifestKey and adopt's workflow id, without a server."""

import pytest
from temporalio.exceptions import ApplicationError

from workflows import inputs, models
from workflows.adopt import adopt_workflow_id, build_workflow_id
from workflows.ids import MAX_WORKFLOW_ID_LENGTH

ADOPT = {"ProjectName": "Console", "SourceRegion": "us-west-2"}
BUILD = {"ProjectName": "P", "ManifestKey": "adopted/P/v1/train.manifest", "VersionName": "v1"}


def problem(cls, raw) -> str:
    with pytest.raises(ApplicationError) as raised:
        inputs.parse(cls, raw)
    assert raised.value.type == "InvalidInput" and raised.value.non_retryable
    return raised.value.message


def test_the_seed_style_adopt_input_parses_with_its_optional_fields():
    assert inputs.parse(models.AdoptProjectInput, ADOPT) == models.AdoptProjectInput(ProjectName="Console",
                                                                                   SourceRegion="us-west-2")
    full = inputs.parse(models.AdoptProjectInput, {**ADOPT, "VersionName": "v1", "MaxTrainingHours": 2.5,
                                                   "Regions": ["eu-west-1"], "Strict": True})
    assert (full.VersionName, full.MaxTrainingHours, full.Regions, full.Strict) == ("v1", 2.5, ["eu-west-1"], True)


@pytest.mark.parametrize("raw,line", [
    ({"ProjectName": "Console"}, "SourceRegion is required"),
    ({**ADOPT, "SourceRegion": "Oregon"}, "SourceRegion: 'Oregon' is not an AWS region name"),
    ({**ADOPT, "VersionName": "a b"}, "invalid version name 'a b'"),
    ({**ADOPT, "Sourceregion": "x"}, "unknown field 'Sourceregion': did you mean SourceRegion?"),
    ({**ADOPT, "MaxTrainingHours": 100}, "MaxTrainingHours must be at most 72"),
    ({**ADOPT, "VersionName": ""}, "VersionName must not be empty (leave it out instead)"),
])
def test_a_bad_adopt_input_is_one_line(raw, line):
    assert problem(models.AdoptProjectInput, raw).startswith(line)


def test_a_build_takes_an_optional_test_manifest_that_is_never_empty():
    assert inputs.parse(models.BuildModelInput, BUILD).TestManifestKey is None
    given = inputs.parse(models.BuildModelInput, {**BUILD, "TestManifestKey": "adopted/P/v1/test.manifest"})
    assert given.TestManifestKey == "adopted/P/v1/test.manifest"
    assert problem(models.BuildModelInput, {**BUILD, "TestManifestKey": ""}) == (
        "TestManifestKey must not be empty (leave it out instead)")
    assert problem(models.BuildModelInput, {**BUILD, "TestManifestKey": "k" * 1025}) == (
        "TestManifestKey: String should have at most 1024 characters")


def test_adopt_ids_are_readable_and_bounded():
    assert adopt_workflow_id("Console", "us-west-2") == "adopt/Console/us-west-2"
    assert build_workflow_id("Console", "v1") == "build/Console/v1"
    longest = adopt_workflow_id("p" * 255, "ap-southeast-2")
    assert len(longest.encode()) <= MAX_WORKFLOW_ID_LENGTH and longest == adopt_workflow_id("p" * 255, "ap-southeast-2")
