"""The bare Temporal baseline: the same tree as ours, the same activities and timers per level, nothing else.

Ours (issue 16): a front door hands its request to the project's owner with one signal-with-start from an
activity and waits for one outcome signal (with a timeout, i.e. a timer); the owner runs the operation as a
child; the operation runs one child per region, each region one child per version. The bare tree repeats
that: front door -> owner -> operation -> region -> version, the submit activity and the outcome signal
included, with the other activities and timers of each level read back from our histories
(bench/orchestration.py). Its activities return their input. Ours over this baseline on the same server is
the cost of our own logic (payloads, boto3 calls to the local endpoint, search attributes, bookkeeping).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError

SUBMIT = "submit"
DONE = "done"
WAIT_TIMEOUT = timedelta(hours=1)  # like the front doors' re-submit timer (workflows/parents.py)


@dataclass
class Level:
    activities: int = 0
    timers: int = 0
    retries: int = 0  # attempts after the first: our lean waits poll through an activity's retries, not timers


@dataclass
class BareInput:
    """A front door's request: the whole shape travels with it."""

    workflow_id: str
    project: str
    regions: list[str]
    versions: list[str]
    timer_seconds: float
    front_door: Level = field(default_factory=Level)  # besides its submit activity and its wait
    owner: Level = field(default_factory=Level)
    operation: Level = field(default_factory=Level)
    region: Level = field(default_factory=Level)
    version: Level = field(default_factory=Level)


@dataclass
class BareTicket:
    front_door_id: str
    request: BareInput


@dataclass
class BareSubmit:
    ticket: BareTicket
    task_queue: str


@dataclass
class BareChildInput:
    level: Level
    timer_seconds: float
    children: list[str] = field(default_factory=list)  # ids of version children (region level only)
    version_level: Level | None = None


@activity.defn(name="BareTrivial")
def trivial(step: int) -> int:
    return step


class BareActivities:
    """The submit activity needs the worker's client, like ours (activities/temporal_ops.py)."""

    def __init__(self, client):
        self.client = client

    @activity.defn(name="BareSubmit")
    async def submit(self, inp: BareSubmit) -> str:
        owner_id = bare_owner_id(inp.ticket.request.project)
        await self.client.start_workflow(
            "BareOwnerWorkflow", inp.ticket.request.project, id=owner_id, task_queue=inp.task_queue,
            start_signal=SUBMIT, start_signal_args=[inp.ticket], id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
        return owner_id


def bare_owner_id(project: str) -> str:
    return f"bare-project/{project}"


@dataclass
class BarePollInput:
    retries: int
    delay_seconds: float


@activity.defn(name="BarePoll")
def poll(inp: BarePollInput) -> int:
    """Fails `retries` times, each retried after the poll interval, like await_version_status until the status."""
    if activity.info().attempt <= inp.retries:
        raise ApplicationError("not yet", next_retry_delay=timedelta(seconds=inp.delay_seconds))
    return inp.retries


def activities(client) -> list:
    return [trivial, poll, BareActivities(client).submit]


async def _steps(level: Level, timer_seconds: float) -> None:
    """The level's activities, with its timers spread between them (like polls between describes)."""
    for step in range(max(level.activities, level.timers)):
        if step < level.timers:
            await workflow.sleep(timedelta(seconds=timer_seconds))
        if step == level.activities - 1 and level.retries:  # the level's polls, as retries of one activity
            await workflow.execute_activity(poll, BarePollInput(level.retries, timer_seconds),
                                            start_to_close_timeout=timedelta(seconds=30),
                                            retry_policy=RetryPolicy(maximum_attempts=0))
        elif step < level.activities:
            await workflow.execute_activity(trivial, step, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn(name="BareVersionWorkflow")
class BareVersionWorkflow:
    @workflow.run
    async def run(self, inp: BareChildInput) -> int:
        await _steps(inp.level, inp.timer_seconds)
        return 1


@workflow.defn(name="BareRegionWorkflow")
class BareRegionWorkflow:
    @workflow.run
    async def run(self, inp: BareChildInput) -> int:
        await _steps(inp.level, inp.timer_seconds)
        done = await asyncio.gather(*(
            workflow.execute_child_workflow(
                BareVersionWorkflow.run, BareChildInput(inp.version_level or Level(), inp.timer_seconds), id=child_id)
            for child_id in inp.children
        ))
        return sum(done)


@workflow.defn(name="BareOperationWorkflow")
class BareOperationWorkflow:
    @workflow.run
    async def run(self, inp: BareInput) -> int:
        await _steps(inp.operation, inp.timer_seconds)
        done = await asyncio.gather(*(
            workflow.execute_child_workflow(
                BareRegionWorkflow.run,
                BareChildInput(inp.region, inp.timer_seconds,
                               [f"{inp.workflow_id}/{region}/{v}" for v in inp.versions], inp.version),
                id=f"{inp.workflow_id}/run/{region}",
            )
            for region in inp.regions
        ))
        return sum(done)


@workflow.defn(name="BareOwnerWorkflow")
class BareOwnerWorkflow:
    """Runs each ticket as an operation child and signals its front door; ends when nothing is left."""

    def __init__(self) -> None:
        self.queue: list[BareTicket] = []
        self.running = 0

    @workflow.signal(name=SUBMIT)
    def submit(self, ticket: BareTicket) -> None:
        self.queue.append(ticket)

    @workflow.run
    async def run(self, project: str) -> str:
        while True:
            await workflow.wait_condition(lambda: bool(self.queue) or not self.running)
            while self.queue:
                ticket = self.queue.pop(0)
                self.running += 1
                asyncio.create_task(self.execute(ticket))
            if not self.running and not self.queue:
                await workflow.wait_condition(workflow.all_handlers_finished)
                if not self.queue:
                    return project

    async def execute(self, ticket: BareTicket) -> None:
        inp = ticket.request
        await _steps(inp.owner, inp.timer_seconds)
        done = await workflow.execute_child_workflow(BareOperationWorkflow.run, inp, id=f"{ticket.front_door_id}/run",
                                                     id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE)
        await workflow.get_external_workflow_handle(ticket.front_door_id).signal(DONE, done)
        self.running -= 1


@workflow.defn(name="BareFrontDoorWorkflow")
class BareFrontDoorWorkflow:
    """Hands the request to the owner (one activity) and waits for its outcome signal with a timeout."""

    def __init__(self) -> None:
        self.outcome: int | None = None

    @workflow.signal(name=DONE)
    def done(self, outcome: int) -> None:
        self.outcome = outcome

    @workflow.run
    async def run(self, inp: BareInput) -> int:
        await _steps(inp.front_door, inp.timer_seconds)
        info = workflow.info()
        await workflow.execute_activity("BareSubmit", BareSubmit(BareTicket(info.workflow_id, inp), info.task_queue),
                                        start_to_close_timeout=timedelta(seconds=30))
        await workflow.wait_condition(lambda: self.outcome is not None, timeout=WAIT_TIMEOUT)
        return self.outcome or 0


BARE_WORKFLOWS = [BareFrontDoorWorkflow, BareOwnerWorkflow, BareOperationWorkflow, BareRegionWorkflow,
                  BareVersionWorkflow]
