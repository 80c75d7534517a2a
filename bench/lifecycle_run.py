"""One followed lifecycle of our workflows on the time-skipping dev server, and everything it cost.

Build v1 and v2 (two CLI commands at once), start both, stop both, delete the project, each followed to its
end by the CLI's own engine (cli_commands.launch.run_operation, the code behind `build/start/stop/delete`)
on a client whose calls are counted. Our worker runs in process against the local AWS endpoint with the
default polling (adaptive, poll_interval_seconds=300); the emulator's transitions are timed by workflow time
(bench/emulator_clock.py), so a 2-hour training is 2 hours of every workflow's clock and a few seconds of
wall time.

The server is `temporal server start-dev` with per-workflow time skipping (frontend.WorkflowTimeSkippingEnabled,
WorkflowEnvironment.start_time_skipping_v2) and our search attributes registered, as a deployment has them.
Each workflow has its own virtual clock there, which shapes three choices:
- the front doors are started without time skipping (the CLI's client is a plain one): a front door waits
  for its owner's outcome with an hourly re-submit timer and, skipping on its own clock, would re-submit in a
  loop. Their re-submits over a real wait are added from the operation's duration (`resubmits`);
- the owner and everything below it skip (the worker's client stamps the time-skipping config on the owner's
  signal-with-start; children inherit it);
- no TTL cost guard (inference_ttl_hours=0): an idle owner would skip to its guard's stop before the next
  command arrives.
The CLI follows in wall time, so its visibility refreshes are few here; a real follow's are modelled from
each operation's duration and status changes with cli_commands.follow's own schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from bench import actions
from bench import orchestration as orch
from bench.client_calls import CountingInterceptor
from bench.emulator_clock import (
    DELETING,
    PROJECT_DELETING,
    STARTING,
    STOPPING,
    TRAINING,
    EmulatorClock,
)
from bench.seed_transitions import Durations

POLL_SECONDS = 300
POLICY = "adaptive"
MAX_SKIPS = 1_000_000  # per time-skipping session; the server's default would stop skipping mid-training
SETTLE_TIMEOUT = 120  # seconds for every execution to close once the last command returned
TIME_SKIPPING_FLAG = "frontend.WorkflowTimeSkippingEnabled=true"
FRONT_DOORS = ("BuildModelWorkflow", "StartModelWorkflow", "StopModelWorkflow", "DeleteModelWorkflow")


@dataclass
class Execution:
    """One run that took part, with its billable actions and virtual timing."""

    workflow_id: str
    run_id: str
    workflow_type: str
    parent_id: str | None
    actions: Counter
    started: float  # first event, seconds (its own clock)
    closed: float  # last event
    status_changes: list[float] = field(default_factory=list)  # ModelStatus upserts


@dataclass
class LifecycleCost:
    executions: list[Execution]
    cli_calls: Counter  # what the CLI's client asked, by kind (bench/client_calls.py)
    server_requests: Counter  # the frontend's request counters, by operation
    transitions: list[tuple[str, str, float]]  # (workflow id, phase, workflow seconds) the emulator clock completed
    operations: list[str]  # front-door workflow ids, in order


def clock_durations(durations: Durations) -> dict[str, float]:
    return {TRAINING: durations.training, STARTING: durations.starting, STOPPING: durations.stopping,
            DELETING: durations.deleting, PROJECT_DELETING: durations.project_deleting}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_requests(metrics_port: int) -> Counter:
    """The dev server's frontend request counters of the default namespace (Prometheus text)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as response:  # nosec B310
        text = response.read().decode()
    found: Counter = Counter()
    for line in text.splitlines():
        if line.startswith("service_requests{") and 'namespace="default"' in line and 'service_name="frontend"' in line:
            operation = line.split('operation="', 1)[1].split('"', 1)[0]
            found[operation] += int(float(line.rsplit(" ", 1)[1]))
    return found


def requests(project: str, regions: tuple[str, ...]):
    """The CLI's requests for the lifecycle, as cli_commands/operations.py builds them (`start --ttl 0`: see above)."""
    from cli_commands.launch import OperationRequest

    versions = list(orch.VERSIONS)
    builds = [OperationRequest("build", project, [v], list(regions),
                               {"ProjectName": project, "ManifestKey": orch.MANIFEST_KEY, "VersionName": v})
              for v in versions]
    rest = [
        OperationRequest("start", project, versions, list(regions),
                         {"ProjectName": project, "VersionNames": versions, "MinInferenceUnits": 1, "TtlHours": 0}),
        OperationRequest("stop", project, versions, list(regions), {"ProjectName": project, "VersionNames": versions}),
        OperationRequest("delete", project, [], list(regions), {"ProjectName": project, "VersionNames": []}),
    ]
    return builds, rest


async def follow(client, request, queue: str) -> None:
    """What `python cli.py <operation> --json` does (its JSON goes where the caller redirected stdout)."""
    from cli_commands.launch import run_operation

    if await run_operation(request, queue, wait=True, as_json=True, client=client):
        raise RuntimeError(f"{request.operation} {request.project} failed")


async def follow_lifecycle(client, queue: str, builds, rest) -> None:
    """Both builds at once (two terminals), then start, stop, delete; the CLI's JSON is kept off the bench's
    output (one redirect for all: redirect_stdout is not task-local) and shown if a command failed."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        try:
            await asyncio.gather(*(follow(client, request, queue) for request in builds))
            for request in rest:
                await follow(client, request, queue)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {printed.getvalue()[-800:]}") from None


async def worker_ready(client, queue: str, timeout: float = 30) -> None:
    """The CLI refuses to start an operation nobody serves: wait for the worker's first poll."""
    from cli_commands.temporal_client import workflow_pollers

    for _ in range(int(timeout * 10)):
        if await workflow_pollers(client, queue):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"no worker polled {queue} within {timeout} s")


async def all_closed(client, timeout: float) -> None:
    async def running() -> int:
        return (await client.count_workflows("ExecutionStatus = 'Running'")).count

    for _ in range(int(timeout * 2)):
        if not await running():
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{await running()} execution(s) still running {timeout} s after the lifecycle")


async def executions(client, query: str = "") -> list[Execution]:
    """Every run (matching `query`) with the actions its history bills (visibility can lag: list until stable)."""
    from bench.actions import UPSERT

    listed: list = []
    for _ in range(20):
        again = [e async for e in client.list_workflows(query)]
        if again and len(again) == len(listed):
            break
        listed = again
        await asyncio.sleep(0.5)
    found = []
    for entry in listed:
        history = await client.get_workflow_handle(entry.id, run_id=entry.run_id).fetch_history()
        events = history.events
        changes = [e.event_time.ToDatetime().timestamp() for e in events if e.event_type == UPSERT]
        found.append(Execution(entry.id, entry.run_id, entry.workflow_type, entry.parent_id,
                               actions.count_events(events), events[0].event_time.ToDatetime().timestamp(),
                               events[-1].event_time.ToDatetime().timestamp(), changes))
    return found


async def time_skipping_server(metrics_port: int):
    """`temporal server start-dev` with per-workflow time skipping, our search attributes and request counters."""
    from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

    from configuration.tools import require_tool
    from workflows import search_attributes as sa

    return await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(max_session_skip_count=MAX_SKIPS),
        dev_server_existing_path=require_tool("temporal"), ip="127.0.0.1", search_attributes=sa.ALL,
        dev_server_log_level="error",
        dev_server_extra_args=["--dynamic-config-value", TIME_SKIPPING_FLAG, "--metrics-port", str(metrics_port)],
    )


async def measure(control, regions: tuple[str, ...], durations: Durations, project: str) -> LifecycleCost:
    from temporalio.client import Client

    from worker import build_worker

    metrics_port = free_port()
    settings, resources = orch.settings_and_resources(regions, POLL_SECONDS, POLICY)
    clock = EmulatorClock(control, clock_durations(durations))
    counter = CountingInterceptor()
    async with await time_skipping_server(metrics_port) as env:
        target = env.client.service_client.config.target_host
        cli = await Client.connect(target, namespace=env.client.namespace, interceptors=[counter])
        queue = f"actions-{uuid.uuid4().hex[:6]}"
        builds, rest = requests(project, regions)
        with ThreadPoolExecutor(max_workers=32) as executor:
            async with build_worker(env.client, settings, resources, executor, task_queue=queue,
                                    search_attributes_enabled=True, interceptors=[clock]):
                await worker_ready(env.client, queue)
                await follow_lifecycle(cli, queue, builds, rest)
                await all_closed(env.client, SETTLE_TIMEOUT)
        found = await executions(env.client)
        served = server_requests(metrics_port)
    return LifecycleCost(found, counter.calls, served, list(clock.completed),
                         [request.workflow_id for request in (*builds, *rest)])


# ---------------------------------------------------------------- reading the runs back


def by_type(runs: list[Execution]) -> dict[str, Counter]:
    totals: dict[str, Counter] = {}
    for run in runs:
        totals.setdefault(run.workflow_type, Counter()).update(run.actions)
    return totals


def operation_runs(runs: list[Execution], front_door_id: str) -> tuple[Execution | None, list[Execution]]:
    """The ProjectOperationWorkflow run of a front door and the per-version runs under it."""
    from workflows.owner_api import operation_workflow_id

    op_id = operation_workflow_id(front_door_id, "", 0)
    operation = next((r for r in runs if r.workflow_id == op_id), None)
    regions = {r.workflow_id for r in runs if r.parent_id == op_id}
    versions = [r for r in runs if r.parent_id in regions and r.workflow_type == "ModelVersionWorkflow"]
    return operation, versions


def operation_seconds(runs: list[Execution], front_door_id: str) -> tuple[float, list[float]]:
    """How long the operation takes on a real clock (its slowest version run, from the operation's start) and
    when the statuses the CLI shows change (seconds from that start)."""
    operation, versions = operation_runs(runs, front_door_id)
    if operation is None:
        return 0.0, []
    begin = operation.started
    ends = [operation.closed - begin] + [v.closed - begin for v in versions]
    changes = sorted(moment - begin for v in versions for moment in [*v.status_changes, v.closed])
    return max(ends), changes


def resubmits(seconds: float) -> int:
    """Re-submits a front door makes while it waits `seconds` for its outcome (workflows/parents.py)."""
    from workflows.parents import RESUBMIT_EVERY

    return int(seconds // RESUBMIT_EVERY.total_seconds())


RESUBMIT_ACTIONS = 3  # the submit activity, the owner's signal (a signal-with-start to a running owner), a new timer


def visibility_refreshes(seconds: float, changes: list[float]) -> int:
    """Refreshes of the CLI's live table over a real follow (cli_commands.follow.next_refresh; each is one
    ListWorkflowExecutions)."""
    from cli_commands.follow import REFRESH_MIN_SECONDS, next_refresh

    moment, delay, count, seen = 0.0, REFRESH_MIN_SECONDS, 0, -1
    while True:
        count += 1
        done = sum(1 for change in changes if change <= moment)
        delay = next_refresh(delay, done != seen)
        seen = done
        if moment >= seconds:
            return count
        moment += delay


def old_cli_queries(seconds: float, every: float = 2.0) -> int:
    """The previous CLI's `progress` queries while following (one every 2 s until the result came)."""
    return int(seconds // every) + 1


def timedelta_text(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))
