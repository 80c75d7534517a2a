"""Replay the committed adopt histories (tests/histories/*/adopt_ids.json, made by tests/histories/record_adopt.py).

AdoptProjectWorkflow and the builds it starts (trained with a test manifest, BuildModelInput.TestManifestKey) must
keep replaying as the code changes, like the sets test_replay.py replays: guard a change with workflow.patched().
"""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from workflows.registry import SERVED

FOLDER = Path(__file__).resolve().parents[1] / "histories"
WORKFLOW_IDS = {folder / name: workflow_id for index in FOLDER.glob("*/adopt_ids.json")
                for folder in [index.parent] for name, workflow_id in json.loads(index.read_text()).items()}
HISTORIES = sorted(WORKFLOW_IDS)


def decoded(value) -> str:
    """Every payload of a history, decoded (histories keep them base64-encoded)."""
    if isinstance(value, dict):
        if "payloads" in value:
            return " ".join(base64.b64decode(p.get("data", "")).decode(errors="replace") for p in value["payloads"])
        return " ".join(decoded(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(decoded(v) for v in value)
    return ""


def test_the_adopt_histories_cover_adopt_its_build_and_a_test_manifest():
    histories = {path: json.loads(path.read_text()) for path in HISTORIES}
    types = {h["events"][0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"] for h in histories.values()}
    text = {path: decoded(h) + path.read_text() for path, h in histories.items()}
    assert {"AdoptProjectWorkflow", "BuildModelWorkflow", "RegionOperationWorkflow", "ModelVersionWorkflow"} <= types
    assert any("TestManifestKey" in t for t in text.values())
    assert any("ImagesNotCopied" in t for t in text.values())  # an adoption that failed on an unreadable image


@pytest.mark.parametrize("path", HISTORIES, ids=[f"{p.parent.name}/{p.name}" for p in HISTORIES])
async def test_adopt_history_replays_deterministically(path):
    history = WorkflowHistory.from_json(WORKFLOW_IDS[path], path.read_text())
    await Replayer(workflows=SERVED).replay_workflow(history)
