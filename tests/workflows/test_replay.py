"""Replay the committed histories (tests/histories/SET/*.json, made by tests/histories/record.py).

A change to a workflow that would make a running execution take a different path fails here: guard it
with workflow.patched() (or a new workflow type), never by re-recording alone. Every set is replayed: the
oldest stands for runs started before poll_policy was a setting (they must keep polling every interval).
"""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from workflows.registry import WORKFLOWS

FOLDER = Path(__file__).resolve().parents[1] / "histories"
SETS = sorted(index.parent for index in FOLDER.glob("*/workflow_ids.json"))
WORKFLOW_IDS = {folder / name: workflow_id for folder in SETS
                for name, workflow_id in json.loads((folder / "workflow_ids.json").read_text()).items()}
HISTORIES = sorted(WORKFLOW_IDS)


def events(path: Path) -> list[dict]:
    return json.loads(path.read_text())["events"]


def started_type(path: Path) -> str:
    return events(path)[0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]


def regional_data(path: Path) -> list[dict]:
    """The RegionalData results (the settings a parent read) recorded in a parent's history."""
    found = []
    for event in events(path):
        for payload in event.get("activityTaskCompletedEventAttributes", {}).get("result", {}).get("payloads", []):
            value = json.loads(base64.b64decode(payload["data"]))
            if isinstance(value, dict) and "management_bucket" in value:
                found.append(value)
    return found


# Sets recorded before the project's owner (workflows/project.py) existed have no runs of its two types; since
# then the cost guard lives in the owner and CostGuardWorkflow is only replayed (runs that were armed before).
BEFORE_THE_OWNER = {"v1-fixed-default", "v2-adaptive-default"}
OWNER_TYPES = {"ProjectWorkflow", "ProjectOperationWorkflow"}
RETIRED_TYPES = {"CostGuardWorkflow"}


@pytest.mark.parametrize("folder", SETS, ids=[s.name for s in SETS])
def test_every_set_covers_every_workflow_type_of_its_time_and_its_way_of_polling(folder):
    histories = [p for p in HISTORIES if p.parent == folder]
    served = {w.__temporal_workflow_definition.name for w in WORKFLOWS}
    expected = served - OWNER_TYPES if folder.name in BEFORE_THE_OWNER else served - RETIRED_TYPES
    assert {started_type(p) for p in histories} == expected
    if folder.name in BEFORE_THE_OWNER:  # polls on timers: a long training continues as new
        assert any('"continuedExecutionRunId"' in p.read_text() for p in histories if "ModelVersionWorkflow" in p.name)
    else:  # lean runs poll through the retries of one activity
        assert any('"await_version_status"' in p.read_text() for p in histories if "ModelVersionWorkflow" in p.name)


def test_the_sets_together_cover_every_workflow_type():
    assert {started_type(p) for p in HISTORIES} == {w.__temporal_workflow_definition.name for w in WORKFLOWS}


def test_the_sets_span_runs_from_before_and_after_poll_policy_became_a_setting():
    settings_read = [data for path in HISTORIES if started_type(path) == "BuildModelWorkflow"
                     for data in regional_data(path)]
    assert any("poll_policy" not in data for data in settings_read)  # replayed as "fixed"
    assert any(data.get("poll_policy") == "adaptive" for data in settings_read)


@pytest.mark.parametrize("path", HISTORIES, ids=[f"{p.parent.name}/{p.name}" for p in HISTORIES])
async def test_history_replays_deterministically(path):
    history = WorkflowHistory.from_json(WORKFLOW_IDS[path], path.read_text())
    await Replayer(workflows=WORKFLOWS).replay_workflow(history)
