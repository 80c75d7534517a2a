"""The actions section: the seed's transitions by hand, action counting on a known real history, a tiny run.

Nothing here looks at wall time: counts only.
"""

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from required_tools import temporal_cli_path
from temporalio import activity, workflow
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bench import actions, cli
from bench import seed_transitions as seed

MINUTE = 60.0
COLOUR = SearchAttributeKey.for_keyword("BenchColour")


def test_seed_transitions_count_every_state_entered_by_hand():
    durations = seed.Durations(training=10 * MINUTE, starting=6 * MINUTE, stopping=4 * MINUTE, deleting=MINUTE)

    # Set Regional Data, Map, Notify + per region: Build task, 2 x (Wait, Get Job Status, Complete?), Final
    assert sum(seed.build(1, durations).values()) == 3 + 1 + 2 * 3 + 1
    assert sum(seed.build(2, durations).values()) == 3 + 2 * (1 + 2 * 3 + 1)
    # per region: Get Model Details, Parallel, Pass, version Map, Complete Parallel + per version: action,
    # passes x 3, final Pass (a 6-minute start is seen on the second 5-minute pass, a 4-minute stop on the first)
    assert sum(seed.start(1, 2, durations).values()) == 3 + 5 + 2 * (1 + 2 * 3 + 1)
    assert sum(seed.stop(1, 1, durations).values()) == 3 + 5 + (1 + 1 * 3 + 1)
    # whole project: + Delete Project?, Get Project Details, Delete Project per region
    assert sum(seed.delete(1, 1, durations, whole_project=True).values()) == 3 + 5 + (1 + 3 + 1) + 3
    assert sum(seed.delete(1, 1, durations, whole_project=False).values()) == 3 + 5 + (1 + 3 + 1) + 2
    # the lifecycle: 11 regions, 2 versions, 2-hour trainings (24 passes), 12.5-minute starts/stops
    assert seed.total(seed.lifecycle(11, 2, seed.Durations())) == \
        2 * (3 + 11 * (1 + 24 * 3 + 1)) + 2 * (3 + 11 * (5 + 2 * (1 + 3 * 3 + 1))) + 3 + 11 * (5 + 2 * 5 + 3)


ATTEMPTS: Counter = Counter()


@activity.defn
def flaky(name: str) -> str:
    """Fails its first attempt per name: one retry."""
    ATTEMPTS[name] += 1
    if ATTEMPTS[name] == 1:
        raise ApplicationError("first attempt fails")
    return name


@workflow.defn
class KnownChild:
    @workflow.run
    async def run(self, runs_left: int) -> int:
        if runs_left:
            workflow.continue_as_new(runs_left - 1)
        return 0


@workflow.defn
class KnownParent:
    """Started by signal-with-start; every billable thing once or twice, so the expected count is by hand."""

    def __init__(self) -> None:
        self.signals = 0

    @workflow.signal
    def poke(self) -> None:
        self.signals += 1

    @workflow.run
    async def run(self, gone_id: str) -> int:
        if workflow.patched("bench-known-patch"):
            pass
        workflow.upsert_search_attributes([COLOUR.value_set("blue")])
        for name in ("a", "b"):
            await workflow.execute_activity(flaky, f"{workflow.info().run_id}-{name}",
                                            start_to_close_timeout=timedelta(seconds=10))
        await workflow.sleep(timedelta(seconds=1))
        await workflow.sleep(timedelta(seconds=1))
        with contextlib.suppress(TimeoutError):  # an implicit timer: a condition with a timeout
            await workflow.wait_condition(lambda: False, timeout=timedelta(seconds=1))
        await workflow.wait_condition(lambda: self.signals >= 2)  # no timeout: no timer
        await workflow.execute_child_workflow(KnownChild.run, 1, id=f"{workflow.info().workflow_id}-child")
        with contextlib.suppress(Exception):  # the target has closed: the attempt is what is counted
            await workflow.get_external_workflow_handle(gone_id).signal("poke")
        return self.signals


async def known_histories():
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path(), ip="127.0.0.1",
                                                search_attributes=[COLOUR], dev_server_log_level="error")
    async with env:
        queue = f"known-{uuid.uuid4().hex[:6]}"
        with ThreadPoolExecutor(2) as executor:
            async with Worker(env.client, task_queue=queue, workflows=[KnownParent, KnownChild], activities=[flaky],
                              workflow_runner=UnsandboxedWorkflowRunner(), activity_executor=executor):
                return await run_known(env.client, queue)


async def run_known(client, queue: str):
    assert await client.execute_workflow(KnownChild.run, 0, id=f"gone-{queue}", task_queue=queue) == 0
    handle = await client.start_workflow(KnownParent.run, f"gone-{queue}", id=f"parent-{queue}", task_queue=queue,
                                         start_signal="poke")
    await handle.signal(KnownParent.poke)
    assert await handle.result() == 2
    child_id = f"parent-{queue}-child"
    runs = [e.run_id async for e in client.list_workflows(f"WorkflowId = '{child_id}'")]
    return (await handle.fetch_history(),
            [await client.get_workflow_handle(child_id, run_id=run).fetch_history() for run in runs])


def test_actions_are_counted_by_the_cloud_rules_on_a_known_history():
    parent, child_runs = asyncio.run(known_histories())

    assert actions.count_history(parent) == Counter({
        actions.SIGNAL_WITH_START: 1,  # started by signal-with-start: one action, the start signal included
        actions.SIGNAL: 1,  # the client's second poke
        actions.ACTIVITY: 2, actions.ACTIVITY_RETRY: 2,  # each failed once
        actions.TIMER: 3,  # two sleeps and the wait_condition's timeout
        actions.UPSERT_KIND: 1,  # BenchColour (the patch's TemporalChangeVersion is exempt)
        actions.MARKERS: 1,  # the patch marker
        actions.CHILD_START: 1,
        actions.SIGNAL_TO_CLOSED: 1,  # the signal to the closed workflow, counted as billed
    })
    # the child continued as new once: each run's start is one action, the ContinuedAsNew event none
    assert [actions.count_history(run) for run in child_runs] == [Counter({actions.WORKFLOW_START: 1})] * 2


@pytest.mark.slow
def test_actions_section_counts_a_tiny_followed_lifecycle(capfd):
    code = cli.main(["--tiny", "--json", "--only", "actions"])
    out, _ = capfd.readouterr()
    section = json.loads(out)["sections"][0]

    assert code == 0 and section["skipped"] is None, section["skipped"]
    row, previous = section["rows"]
    regions, durations = 2, seed.Durations(training=35 * MINUTE, starting=6 * MINUTE, stopping=6 * MINUTE)
    assert row["baseline"] == previous["baseline"] == seed.total(seed.lifecycle(regions, 2, durations))
    billed = [d for d in section["details"] if d["side"] == "ours" and "not billed" not in d["what"]]
    assert row["ours"] == sum(d["count"] for d in billed)
    by_what = {d["what"].split(" (")[0]: d for d in billed}
    # two builds, a start, a stop, a delete: five front doors, five operations, each region and version below
    assert by_what["BuildModelWorkflow"]["what"].endswith("(2 runs)")
    assert by_what["ProjectOperationWorkflow"]["what"].endswith("(5 runs)")
    assert by_what["RegionOperationWorkflow"]["what"].endswith(f"({5 * regions} runs)")
    assert by_what["ModelVersionWorkflow"]["what"].endswith(f"({4 * 2 * regions} runs)")
    assert by_what["CLI queries + updates while following"]["count"] == 0  # the CLI follows by visibility
    # the previous design ran the same lifecycle; its CLI queried every 2 s of the same (35-minute) waits
    queries = next(d for d in section["details"] if d["what"].startswith("CLI progress queries"))
    assert queries["count"] > (2 * 35 * MINUTE) / 2 and previous["ours"] > queries["count"]
