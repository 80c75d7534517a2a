"""Issue 15.6: the project's owner (workflows/project.py) is a workflow anyone with access to the namespace can
signal or start. Random `submit` and `withdraw` payloads sent to a running owner, and random inputs it is started
with, must never fail its workflow task (a failed task is retried forever: every operation of the project would
wait behind it); the owner must still run what its real callers ask and end by itself.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import pytest_asyncio
from endings import ending, history_facts
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from json_strategies import NAME_ALPHABET, json_values, raw
from required_tools import temporal_test_server_path
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from test_operations import PROJECT, build_input, versions_in, wait_for_status

from workflows.models import OPERATIONS
from workflows.owner_api import (
    PROJECT_WORKFLOW,
    STATE_QUERY,
    SUBMIT_SIGNAL,
    WITHDRAW_SIGNAL,
    project_workflow_id,
)

EXAMPLES = int(os.environ.get("GCL_PROPERTY_EXAMPLES", "25"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIGURES = {"signals sent": 0, "owner inputs tried": 0}
JUNK_PROJECT = "Junk"  # no such project in AWS: what the junk asks for fails fast
KEPT_FOR = timedelta(days=300)  # a guard that keeps the owner alive, within the longest TTL


@pytest_asyncio.fixture
async def env():
    """A server of its own: the owner's result is awaited with time skipping unlocked, after which the test server
    stops skipping time for later workflows (see test_long_runs_and_cost_guard.py)."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path()
    ) as environment:
        yield environment


names = st.sampled_from(["first", "second", "", "*", "a" * 300]) | st.text(NAME_ALPHABET, max_size=8) | st.text(max_size=8)
requests = st.one_of(
    json_values,
    st.fixed_dictionaries({"ProjectName": st.sampled_from([JUNK_PROJECT, "Other"]), "VersionNames": st.lists(names, max_size=2)},
                          optional={"Regions": st.lists(st.sampled_from(["us-east-1", "eu-west-1", "x"]), max_size=2),
                                    "TtlHours": st.sampled_from([0, 1, 2.5, -1, 1e300]),
                                    "ManifestKey": st.text(max_size=8), "VersionName": names}),
)
TICKET_FIELDS = {
    "operation": st.sampled_from(OPERATIONS),
    "project": st.just(JUNK_PROJECT),
    "versions": st.lists(names, max_size=2),
    "regions": st.none() | st.lists(st.sampled_from(["us-east-1", "eu-west-1", "mars-1"]), max_size=2),
    "request": requests,
    "requester_id": st.none() | st.text(max_size=30) | st.just("x" * 2000),
    "requester_run_id": st.none() | st.text(max_size=10),
    "submitted_at": st.none() | st.just("2026-01-01T00:00:00+00:00") | st.text(max_size=30),
}


@st.composite
def tickets(draw) -> dict:
    """A ticket as a front door sends it, then 0-3 changes: a field missing, of the wrong kind, or extra."""
    ticket = {name: draw(values) for name, values in TICKET_FIELDS.items()}
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
        name = draw(st.sampled_from(sorted(TICKET_FIELDS)))
        change = draw(st.sampled_from(["missing", "junk", "extra"]))
        if change == "missing":
            ticket.pop(name, None)
        elif change == "junk":
            ticket[name] = draw(json_values | st.sampled_from(["reboot", "", "Other", None]))
        else:
            ticket[draw(st.text(max_size=10))] = draw(json_values)
    return ticket


signals = st.lists(
    st.one_of(
        st.tuples(st.just(SUBMIT_SIGNAL), tickets() | tickets() | json_values),
        st.tuples(st.just(WITHDRAW_SIGNAL), json_values | st.text(max_size=40)),
        st.tuples(st.sampled_from([SUBMIT_SIGNAL, WITHDRAW_SIGNAL]),
                  st.just(raw(b"[" * 3000 + b"]" * 3000)) | st.just(raw(b"1", b"weird/encoding"))),
    ),
    min_size=1, max_size=4,
)


async def task_failures(handle) -> list[str]:
    _, failures = await history_facts(handle)  # UNHANDLED_COMMAND (a signal raced the completion) left out
    return failures


async def running_owner(env, worker, world, emulator):
    """The owner with a build it keeps running (manual timing: nothing finishes until emulator.advance())."""
    emulator.configure({"timing": {"mode": "manual"}})
    building = await env.client.start_workflow("BuildModelWorkflow", build_input(), id=f"build/{worker}",
                                               task_queue=worker)
    await wait_for_status(env, world.regions, "TRAINING_IN_PROGRESS")
    return building, env.client.get_workflow_handle(project_workflow_id(PROJECT))


@pytest.mark.slow
@PROPERTY
@given(sent=signals)
async def test_junk_signals_never_fail_the_owners_workflow_task(env, worker, world, sent):
    """A fresh owner per example (kept alive by a guard far away), then 1-4 junk signals."""
    kept_until = (await env.get_current_time() + KEPT_FOR).isoformat()
    owner = await env.client.start_workflow(
        PROJECT_WORKFLOW, {"project": JUNK_PROJECT, "stop_at": {"kept": {"us-east-1": kept_until}}},
        id=project_workflow_id(JUNK_PROJECT), task_queue=worker,
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING)
    for name, payload in sent:
        await owner.signal(name, payload)
        FIGURES["signals sent"] += 1
    try:  # answered after the signals' workflow task
        await owner.query(STATE_QUERY, rpc_timeout=timedelta(seconds=20))
    except RPCError:
        pass  # a failed workflow task cannot answer: the history says why
    assert await task_failures(owner) == []


@pytest.mark.slow
async def test_after_junk_signals_the_owner_still_serves_and_ends(env, worker, world, emulator):
    """The property above leaves junk queued; this runs the same kinds of signals, then the real build must
    finish and the owner end (idle) by itself."""
    building, owner = await running_owner(env, worker, world, emulator)
    junk = [{"operation": "stop", "project": PROJECT, "versions": [], "regions": None, "request": {}},
            {"operation": "delete", "project": PROJECT, "versions": ["first"], "request": {"ProjectName": 5}},
            {"operation": "start", "project": PROJECT, "versions": ["zz"], "regions": [], "request": {},
             "requester_id": "nobody"}, 7, None, [1, 2]]
    for payload in junk:
        await owner.signal(SUBMIT_SIGNAL, payload)
    await owner.signal(WITHDRAW_SIGNAL, {"key": 1})
    await owner.query(STATE_QUERY)
    emulator.advance()
    built = await ending(building)
    assert built.status == "completed", built
    async with env.time_skipping_unlocked():
        owner_ended = await ending(owner)
    assert owner_ended.status == "completed" and str(owner_ended.result).startswith("idle"), owner_ended
    assert await task_failures(owner) == []
    assert {versions_in(r)["first"] for r in world.regions} == {"TRAINING_COMPLETED"}


times = st.sampled_from(["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2030-01-01T00:00:00",
                         "2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00", "2026-01-01T00:00:00Z", "yesterday"]) | st.text(max_size=25)
states = st.one_of(
    json_values,
    st.fixed_dictionaries({"project": st.text(NAME_ALPHABET, min_size=1, max_size=12) | json_values}, optional={
        "queue": st.lists(tickets(), max_size=2) | json_values,
        "stop_at": json_values | st.dictionaries(names, st.dictionaries(st.sampled_from(["us-east-1", "*"]),
                                                                        times | json_values)),
        "warned": json_values, "recent": json_values, "operations": json_values,
    }),
)


@pytest.mark.slow
@PROPERTY
@given(state=states)
@example(state={"project": "Far", "stop_at": {"v": {"us-east-1": "9999-12-31T23:59:59+00:00"}}})
@example(state={"project": "Gone", "stop_at": {"v": {"*": "2000-01-01T00:00:00+00:00"}}})
async def test_an_owner_started_with_any_input_ends_by_itself(env, worker, world, state):
    """`temporal workflow start --type ProjectWorkflow --input ...`: the owner's own input is a state too."""
    FIGURES["owner inputs tried"] += 1
    handle = await env.client.start_workflow(PROJECT_WORKFLOW, state, id=f"project/random-{uuid.uuid4().hex[:8]}",
                                             task_queue=worker)
    ended = await ending(handle)
    assert ended.status in ("completed", "failed"), ended
    assert not ended.task_failures, ended.task_failures
    if ended.status == "failed":
        assert ended.error_type == "InvalidInput" and ended.non_retryable, ended


def teardown_module():
    print("\nFIGURES", FIGURES)
