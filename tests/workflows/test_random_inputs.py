"""Issue 15.6: random JSON at the four seed workflow types, on the time-skipping server with the real worker and
activities against the local AWS endpoint. Every run must end by itself, completed or failed with a named,
non-retryable type, in a bounded number of workflow tasks and without one failed workflow task (a failed task is
retried forever: the run never ends and every later operation on its versions queues behind it). An input the
workflow refuses must leave AWS untouched.

Reproducible: derandomized (the same examples on every run, no example database). More examples locally with
GCL_PROPERTY_EXAMPLES=500; docs/reliability.md gives the figures.
"""

from __future__ import annotations

import math
import os
import uuid

import pytest
from endings import Ending, ending, exists, history_facts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_strategies import CLI_ONLY_ARGUMENTS, SEED_TYPES, payloads
from test_operations import MANIFEST_KEY, PROJECT, build

from workflows import inputs
from workflows.ids import child_id
from workflows.owner_api import operation_workflow_id, project_workflow_id

EXAMPLES = int(os.environ.get("GCL_PROPERTY_EXAMPLES", "25"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAMED_FAILURES = {"InvalidInput", "OperationFailed", "DatasetRejected", "DatasetPreflightFailed", "ProjectNotFound"}
MAX_FRONT_DOOR_TASKS = 8  # start, submit's result, the owner's outcome: a handful, whatever the input
MUTATING = ("CreateProject", "CreateProjectVersion", "StartProjectVersion", "StopProjectVersion",
            "DeleteProjectVersion", "DeleteProject", "CreateDataset", "DeleteDataset")
WORLD = {"projects": (PROJECT,), "versions": ("first", "second"), "manifests": (MANIFEST_KEY,)}
FIGURES = {"inputs tried": 0, "completed": 0, "failed": {}, "task failures": 0}


def mutations(emulator) -> dict[str, int]:
    return {k: v for k, v in emulator.calls().items() if k.split("/")[-1] in MUTATING}


def clearly_refused(cls: type, payload) -> str | None:
    """Why the documented contract (docs/CONTRACTS.md, Temporal) refuses this input, when it plainly does."""
    if not isinstance(payload, dict):
        return "not an object"
    known = {f for f in cls.__dataclass_fields__}
    unknown = [k for k in payload if k not in known]
    if unknown:
        return f"unknown field {unknown[0]!r}"
    for name, value in payload.items():
        if isinstance(value, float) and not math.isfinite(value):
            return f"{name} is not finite"
        if name in ("TtlHours",) and isinstance(value, (int, float)) and not isinstance(value, bool) and value > 8784:
            return f"{name} over 8784"
        if name in ("MinInferenceUnits", "MaxInferenceUnits") and isinstance(value, int) and value > 1000:
            return f"{name} over 1000"
    return None


async def settle_run_and_owner(env, front_door: Ending, project) -> list[str]:
    """Failed workflow tasks of what the front door set going: its operation's run, the regions, the owner."""
    failures: list[str] = []
    if not isinstance(project, str) or not project:
        return failures
    handles = [env.client.get_workflow_handle(operation_workflow_id(front_door.workflow_id, project, 0))]
    handles += [env.client.get_workflow_handle(child_id(handles[0].id, r)) for r in ("us-east-1", "eu-west-1")]
    handles.append(env.client.get_workflow_handle(project_workflow_id(project)))
    for handle in handles:
        if await exists(handle):
            _, found = await history_facts(handle)
            failures += [f"{handle.id}: {f}" for f in found]
    return failures


def check(ended: Ending, refused: str | None, before: dict, after: dict) -> None:
    FIGURES["inputs tried"] += 1
    FIGURES["task failures"] += len(ended.task_failures)
    assert ended.status in ("completed", "failed"), f"{ended.workflow_id} {ended.status}: {ended.task_failures}"
    assert not ended.task_failures, ended.task_failures
    assert ended.tasks_completed <= MAX_FRONT_DOOR_TASKS, f"{ended.tasks_completed} workflow tasks"
    if ended.status == "completed":
        FIGURES["completed"] += 1
    else:
        FIGURES["failed"][ended.error_type] = FIGURES["failed"].get(ended.error_type, 0) + 1
        assert ended.error_type in NAMED_FAILURES and ended.non_retryable, (ended.error_type, ended.message)
    if refused:
        assert ended.error_type == "InvalidInput", f"accepted although {refused}: {ended}"
    if ended.error_type == "InvalidInput":
        assert "\n" not in ended.message and len(ended.message) <= 400, ended.message
        assert after == before, "an input refused as invalid changed something in AWS"


async def throw(env, queue, name: str, args: list, emulator) -> tuple[Ending, dict, dict]:
    before = mutations(emulator)
    handle = await env.client.start_workflow(name, args=args, id=f"random/{name}/{uuid.uuid4().hex[:12]}",
                                             task_queue=queue)
    ended = await ending(handle)
    return ended, before, mutations(emulator)


@pytest.fixture
async def built(env, worker, world):
    """`first` trained in every region, so that valid random inputs reach start, stop and delete for real."""
    summary = await build(env, worker)
    assert sorted(summary.succeeded) == sorted(world.regions)
    return worker


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SEED_TYPES))
@PROPERTY
@given(data=st.data())
async def test_any_json_input_ends_the_run_with_a_named_error_or_a_result(env, built, emulator, name, data):
    cls = SEED_TYPES[name]
    payload = data.draw(payloads(cls, {**WORLD, "regions": ("us-east-1", "eu-west-1", "ap-southeast-2")}), "input")
    ended, before, after = await throw(env, built, name, [payload], emulator)
    check(ended, clearly_refused(cls, payload), before, after)
    project = payload.get("ProjectName") if isinstance(payload, dict) else None
    assert await settle_run_and_owner(env, ended, project) == []


@pytest.mark.parametrize("name", sorted(SEED_TYPES))
@pytest.mark.parametrize("case", sorted(CLI_ONLY_ARGUMENTS))
async def test_what_the_temporal_cli_can_send_ends_the_run_as_invalid_input(env, worker, emulator, name, case):
    """No input, two inputs, a 6000-digit number, 5000 nested arrays, an unknown encoding: all accepted by
    `temporal workflow start`, none decodable into the seed's input."""
    ended, before, after = await throw(env, worker, name, CLI_ONLY_ARGUMENTS[case], emulator)
    check(ended, case, before, after)
    assert ended.error_type == "InvalidInput"


def test_the_contract_bounds_are_the_validators():
    """The independent oracle above and workflows/inputs.py name the same limits."""
    assert inputs.MAX_TTL_HOURS == 8784 and inputs.MAX_INFERENCE_UNITS == 1000


def teardown_module():
    print("\nFIGURES", FIGURES)
