"""Replay the committed rollout histories (tests/histories/*/rollout_ids.json, made by tests/histories/record_rollout.py).

Canary builds (passed, failed training, below MinF1), waves with a failure tolerance, the evaluation every build
region reads, and a start gated by MinF1 must keep replaying as the code changes, like every other set: guard a
change with workflow.patched().
"""

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from test_replay_adopt import decoded

from workflows.registry import SERVED

FOLDER = Path(__file__).resolve().parents[1] / "histories"
WORKFLOW_IDS = {folder / name: workflow_id for index in FOLDER.glob("*/rollout_ids.json")
                for folder in [index.parent] for name, workflow_id in json.loads(index.read_text()).items()}
HISTORIES = sorted(WORKFLOW_IDS)


def test_the_rollout_histories_cover_every_new_path():
    histories = {path: json.loads(path.read_text()) for path in HISTORIES}
    types = {h["events"][0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"] for h in histories.values()}
    text = " ".join(decoded(h) + path.read_text() for path, h in histories.items())
    assert {"BuildModelWorkflow", "StartModelWorkflow", "ProjectWorkflow", "ProjectOperationWorkflow",
            "RegionOperationWorkflow", "ModelVersionWorkflow"} <= types
    for needed in ("CanaryRegion", "MaxConcurrentRegions", "MaxFailedRegions", "MinF1", "NOT_ATTEMPTED", "REFUSED",
                   "canary us-east-1 failed", "(MinF1)", "read_evaluation", "build-reads-evaluation"):
        assert needed in text, needed


@pytest.mark.parametrize("path", HISTORIES, ids=[f"{p.parent.name}/{p.name}" for p in HISTORIES])
async def test_rollout_history_replays_deterministically(path):
    history = WorkflowHistory.from_json(WORKFLOW_IDS[path], path.read_text())
    await Replayer(workflows=SERVED).replay_workflow(history)
