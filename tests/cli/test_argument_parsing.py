"""Pure parsing helpers: multi-value options and --ttl durations."""

import pytest

from cli_commands.durations import format_remaining, parse_hours
from cli_commands.errors import UserError
from cli_commands.launch import OperationRequest, overlaps
from cli_commands.multi_value import expand_multi_values


def test_versions_take_several_values_after_one_flag():
    assert expand_multi_values(["--versions", "first", "second", "--no-wait"]) == [
        "--versions", "first", "--versions", "second", "--no-wait"]


def test_repeated_flags_and_equals_form_still_work():
    assert expand_multi_values(["--versions=a", "-r", "us-east-1", "eu-west-1", "--versions", "b"]) == [
        "--versions", "a", "-r", "us-east-1", "-r", "eu-west-1", "--versions", "b"]


def test_flag_without_values_is_left_for_click_to_report():
    assert expand_multi_values(["--versions", "--yes"]) == ["--versions", "--yes"]


def test_other_options_untouched():
    assert expand_multi_values(["--project", "P", "--ttl", "4h"]) == ["--project", "P", "--ttl", "4h"]


@pytest.mark.parametrize("text,hours", [("4h", 4.0), ("90m", 1.5), ("1h30m", 1.5), ("2d", 48.0), ("0", 0.0),
                                        ("2.5", 2.5), ("3600s", 1.0)])
def test_durations(text, hours):
    assert parse_hours(text) == pytest.approx(hours)


@pytest.mark.parametrize("text", ["four hours", "4x", "-1", "h", "4h-"])
def test_bad_durations_are_user_errors(text):
    with pytest.raises(UserError, match="duration"):
        parse_hours(text)


def test_remaining_time_format():
    assert format_remaining(3 * 3600 + 125) == "3h02m"
    assert format_remaining(59) == "0m"
    assert format_remaining(-5) == "expired"


def test_workflow_ids_follow_the_contract():
    assert OperationRequest("start", "AWSDeepRacer", ["first", "second"], []).workflow_id == "start/AWSDeepRacer/first,second"
    assert OperationRequest("delete", "AWSDeepRacer", [], []).workflow_id == "delete/AWSDeepRacer/*"
    assert OperationRequest("build", "P", ["v1"], []).workflow_type == "BuildModelWorkflow"


def test_conflicts_are_shared_versions_or_whole_project():
    assert overlaps(["first"], ["first", "second"])
    assert not overlaps(["first"], ["second"])
    assert overlaps([], ["second"])  # a whole-project delete is running
    assert overlaps(["first"], [])  # asking for a whole-project delete


def test_failed_regions_come_from_the_result_or_else_the_last_progress():
    from cli_commands.launch import failed_regions

    assert failed_regions({"failed": {"eu-west-1": "TRAINING_FAILED"}}, None) == {"eu-west-1": "TRAINING_FAILED"}
    last = {"rows": [{"region": "us-east-1", "version": "v", "status": "TRAINING_COMPLETED", "ok": True},
                     {"region": "eu-west-1", "version": "v", "status": "FAILED", "error": "boom", "ok": False}]}
    assert failed_regions(None, last) == {"eu-west-1": "boom"}
    assert failed_regions(None, None) == {}
