"""Replay the committed histories (tests/histories/*.json, made by tests/histories/record.py).

A change to a workflow that would make a running execution take a different path fails here: guard it
with workflow.patched() (or a new workflow type), never by re-recording alone.
"""

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from workflows.registry import WORKFLOWS

FOLDER = Path(__file__).resolve().parents[1] / "histories"
WORKFLOW_IDS = json.loads((FOLDER / "workflow_ids.json").read_text())
HISTORIES = sorted(FOLDER / name for name in WORKFLOW_IDS)


def test_histories_cover_every_workflow_type_and_a_continue_as_new():
    types = {json.loads(p.read_text())["events"][0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]
             for p in HISTORIES}
    assert types == {w.__temporal_workflow_definition.name for w in WORKFLOWS}
    assert any('"continuedExecutionRunId"' in p.read_text() for p in HISTORIES if "ModelVersionWorkflow" in p.name)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.name for p in HISTORIES])
async def test_history_replays_deterministically(path):
    history = WorkflowHistory.from_json(WORKFLOW_IDS[path.name], path.read_text())
    await Replayer(workflows=WORKFLOWS).replay_workflow(history)
