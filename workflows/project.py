"""The owner of one project: every operation on it runs here, in order, and its cost guard lives here.

One long-lived ProjectWorkflow per project (id `project/{project}`, an entity workflow). The four seed workflow
types stay the front doors users start (CLI, `temporal workflow start`, Web UI): each hands its validated request
to the owner as a ticket (signal-with-start from an activity, so the owner is created on first use) and waits
for the outcome. The owner:
- runs each ticket as one ProjectOperationWorkflow child (the fan-out to regions and versions), so a front
  door that is terminated or never comes back cannot wedge the project: the owner sees its own child end;
- never runs two tickets that touch the same version in the same region at once: a ticket starts only when no
  running ticket and no earlier queued one overlaps it (first come, first served), so a start and a stop of
  one version started together end in one state in every region, whatever ids they were started with;
- keeps the cost guard: a start records, per version and region, when the model must be stopped (its TTL);
  at that time the owner queues a stop of what is due (re-checked when it runs, so a later start with a new TTL
  wins), warns by SNS before, retries a stop that failed, and forgets a guard once the version is stopped or
  deleted. Whatever a start may have left RUNNING is covered, partial failures and restarts included;
- ends when it has nothing queued, nothing running and nothing guarded (the next ticket starts it again),
  and continues as new when its history grows, only between operations.
Progress does not flow through it: each per-version workflow publishes its status in the ModelStatus search
attribute, and the owner learns outcomes from its children's results.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    WorkflowAlreadyStartedError,
)

with workflow.unsafe.imports_passed_through():
    from workflows import activity_api as api
    from workflows import inputs
    from workflows.common import (
        error_text,
        failure_details,
        failure_type,
        iso,
        parse_iso,
        summary_from_failure,
    )
    from workflows.ids import MAX_WORKFLOW_ID_LENGTH
    from workflows.models import (
        BUILD,
        DELETE,
        REFUSED,
        START,
        STOP,
        OperationOutcome,
        OperationSummary,
        OperationTicket,
        ProjectState,
        PublishInput,
        RegionalData,
        RegionalDataRequest,
        RunningTicket,
    )
    from workflows.owner_api import (
        OPERATION_WORKFLOW,
        OUTCOME_SIGNAL,
        PROJECT_WORKFLOW,
        STATE_QUERY,
        SUBMIT_SIGNAL,
        WITHDRAW_SIGNAL,
        operation_workflow_id,
        ticket_from,
    )

ALL_VERSIONS = "*"
WARN_BEFORE = timedelta(minutes=15)
RETRY_FAILED_STOP = timedelta(minutes=15)  # a guard's stop failed in a region (outage): try again then
UNKNOWN_TTL_HOURS = 8.0  # a start that ended without a summary and named no TTL: the settings' default is unknown here
MAX_RECENT = 200
# Issue 15 (found by tests/workflows/test_owner_signals.py): the owner no longer wakes every second while a guard's
# stop waits or runs, and a guard's stop that finds nothing (NOT_FOUND: deleted outside the workflows) ends the
# guard instead of being retried every 15 minutes forever. Histories recorded before keep replaying the old way.
GUARD_STOP_PATCH = "guard-waits-for-its-stop"
# Stop times outside 2000..now+longest TTL (a hand-made input) fail the owner as InvalidInput at its start.
STOP_TIMES_PATCH = "stop-times-bounded"
NOTHING_THERE = "NOT_FOUND"
OLDEST_STOP_TIME = datetime(2000, 1, 1, tzinfo=UTC)
# bounds of ProjectState.continue_after_events: a fresh run is never over the lower one (no loop of continues),
# and the upper one stays far below the 10,240-event warning
MIN_EVENTS_BEFORE_CONTINUE = 20
MAX_EVENTS_BEFORE_CONTINUE = 8_000


def overlaps(a: OperationTicket, b: OperationTicket) -> bool:
    """Two tickets collide when they share a version (none = the whole project) in a shared region (None = all)."""
    versions = not a.versions or not b.versions or bool(set(a.versions) & set(b.versions))
    regions = a.regions is None or b.regions is None or bool(set(a.regions) & set(b.regions))
    return versions and regions


def _moment(value: Any) -> bool:
    """An ISO time with a zone (what the owner writes), comparable with workflow.now()."""
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _schedule(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(version, str) and isinstance(regions, dict)
        and all(isinstance(region, str) and _moment(at) for region, at in regions.items())
        for version, regions in value.items())


def in_order(ticket: OperationTicket) -> bool:
    """Only the owner makes tickets without a requester: its cost guard's stops, one version each."""
    return ticket.requester_id is not None or (ticket.operation == STOP and len(ticket.versions) == 1)


def submitted_ticket(raw: Any, project: str) -> OperationTicket | None:
    """A `submit` signal's ticket, or None to drop it (anyone with `temporal workflow signal` may send one).

    It must come from a requester (a workflow id, which the owner signals back) and is scheduled by what its
    request names, validated as its run will validate it, not by what the ticket says: a hand-made ticket cannot
    run beside an operation it overlaps. A request its run will refuse keeps the ticket's own scope: that run
    fails at once, touching nothing.
    """
    ticket = ticket_from(raw, project)
    if ticket is None or not ticket.requester_id or len(ticket.requester_id) > MAX_WORKFLOW_ID_LENGTH:
        return None
    try:
        request = inputs.parse(inputs.OPERATION_INPUTS[ticket.operation], ticket.request)
    except ApplicationError:
        return ticket
    if request.ProjectName != project:
        return None
    ticket.versions = [request.VersionName] if ticket.operation == BUILD else list(request.VersionNames)
    ticket.regions = request.Regions
    return ticket


def state_from(raw: Any) -> ProjectState | None:
    """The owner's state from its input (ours, or anyone's `temporal workflow start`), or None when malformed."""
    if isinstance(raw, ProjectState):
        raw = asdict(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("project"), str) or not raw["project"]:
        return None
    try:
        state = ProjectState(**{k: v for k, v in raw.items() if k in ProjectState.__dataclass_fields__})
    except TypeError:
        return None
    well_formed = (
        isinstance(state.queue, list) and _schedule(state.stop_at) and _schedule(state.warned)
        and isinstance(state.recent, list) and all(isinstance(key, str) for key in state.recent)
        and type(state.operations) is int and type(state.continue_after_events) is int
    )
    if not well_formed:
        return None
    state.queue = [t for t in (ticket_from(t, state.project) for t in state.queue) if t is not None and in_order(t)]
    return state


@workflow.defn(name=PROJECT_WORKFLOW)
class ProjectWorkflow:
    @workflow.init
    def __init__(self, *raw: Any) -> None:
        # *raw: no input or several (`temporal workflow start`) end the run as InvalidInput, not a task loop
        self.state = state_from(raw[0]) if len(raw) == 1 else None
        self.running: dict[str, RunningTicket] = {}
        self.changed = False
        self.continuing = False
        self.topic: str | None = None

    # ------------------------------------------------------------------ messages

    @workflow.signal(name=SUBMIT_SIGNAL)
    def submit(self, raw: Any) -> None:
        """A front door's request (duplicates, e.g. a retried submit activity, are dropped)."""
        if self.state is None:
            return
        ticket = submitted_ticket(raw, self.state.project)
        if ticket is None:
            workflow.logger.warning("ignored a submit that is not a ticket for %s", self.state.project)
            return
        known = {t.key for t in self.state.queue} | set(self.running) | set(self.state.recent)
        if ticket.key in known:
            return
        self.state.queue.append(ticket)
        self.changed = True

    @workflow.signal(name=WITHDRAW_SIGNAL)
    def withdraw(self, key: Any) -> None:
        """A front door was cancelled while its ticket waited: it will not run (a running one finishes)."""
        if self.state is not None and isinstance(key, str):
            self.state.queue = [t for t in self.state.queue if t.key != key]
            self.changed = True

    @workflow.query(name=STATE_QUERY)
    def describe(self) -> dict:
        """What waits, what runs and, per version and region, when the cost guard stops it."""
        if self.state is None:
            return {}
        def brief(t: OperationTicket) -> dict:
            return {"operation": t.operation, "versions": t.versions, "regions": t.regions,
                    "requested_by": t.requester_id or "cost guard"}

        return {
            "project": self.state.project,
            "running": [{**brief(r.ticket), "workflow_id": r.workflow_id, "started_at": r.started_at}
                        for r in self.running.values()],
            "queued": [brief(t) for t in self.state.queue],
            "stop_at": self.state.stop_at,
        }

    # ------------------------------------------------------------------ main loop

    @workflow.run
    async def run(self, *raw: Any) -> str:
        del raw  # read by __init__
        if self.state is None:
            raise ApplicationError("ProjectWorkflow needs {\"project\": NAME}", type="InvalidInput", non_retryable=True)
        state = self.state
        horizon = workflow.now() + timedelta(hours=inputs.MAX_TTL_HOURS + 1)
        beyond = [f"{v} in {r} at {at}" for v, rs in state.stop_at.items() for r, at in rs.items()
                  if not OLDEST_STOP_TIME <= parse_iso(at) <= horizon]
        if beyond and workflow.patched(STOP_TIMES_PATCH):  # only a hand-made input holds one: no TTL gives it
            raise ApplicationError(f"stop times must be after 2000 and within the longest TTL "
                                   f"({inputs.MAX_TTL_HOURS:g} h): {beyond[0]}"[:300], type="InvalidInput", non_retryable=True)
        workflow.set_current_details(f"owner of project {state.project}")
        while True:
            await self.warn_and_queue_due_stops()
            limit = min(max(state.continue_after_events, MIN_EVENTS_BEFORE_CONTINUE), MAX_EVENTS_BEFORE_CONTINUE)
            if workflow.info().is_continue_as_new_suggested() or workflow.info().get_current_history_length() > limit:
                self.continuing = True
            if not self.continuing:
                self.dispatch()
            if not self.running:
                if self.continuing:
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    workflow.continue_as_new(state)
                if not state.queue and not state.stop_at:
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    if not state.queue:
                        return f"idle: {state.operations} operation(s) run, nothing guarded"
                    continue
            wake = self.next_guard_event()
            self.changed = False
            timeout = max(wake - workflow.now(), timedelta(seconds=1)) if wake else None
            try:
                await workflow.wait_condition(lambda: self.changed, timeout=timeout)
            except TimeoutError:
                pass

    def dispatch(self) -> None:
        """Start every queued ticket that overlaps neither a running one nor an earlier queued one."""
        waiting: list[OperationTicket] = []
        for ticket in list(self.state.queue):
            blocked = any(overlaps(ticket, r.ticket) for r in self.running.values()) or \
                any(overlaps(ticket, w) for w in waiting)
            if blocked:
                waiting.append(ticket)
                continue
            self.state.queue.remove(ticket)
            if ticket.requester_id is None:
                due = self.due_regions(ticket)
                if due == []:
                    continue  # a guard's stop whose TTL was extended meanwhile: nothing to stop any more
                ticket.regions = due
                ticket.request = {"ProjectName": ticket.project, "VersionNames": ticket.versions}
                if due is not None:
                    ticket.request["Regions"] = due
            self.state.operations += 1
            workflow_id = operation_workflow_id(ticket.requester_id, ticket.project, self.state.operations)
            self.running[ticket.key] = RunningTicket(ticket, workflow_id, iso(workflow.now()))
            self.state.recent = [*self.state.recent, ticket.key][-MAX_RECENT:]
            asyncio.create_task(self.execute(ticket, workflow_id))

    async def execute(self, ticket: OperationTicket, workflow_id: str) -> None:
        summary: OperationSummary | None = None
        outcome = OperationOutcome(ticket.key)
        try:
            summary = await workflow.execute_child_workflow(
                OPERATION_WORKFLOW, ticket, id=workflow_id, result_type=OperationSummary,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=self.title(ticket),
            )
        except ChildWorkflowError as err:
            summary = summary_from_failure(err)
            outcome.error, outcome.error_type = error_text(err), failure_type(err)
            if summary is None and outcome.error_type:
                outcome.error_details = failure_details(err, outcome.error_type)
        except WorkflowAlreadyStartedError:
            outcome.error, outcome.error_type = f"{workflow_id} is already running", "OperationConflict"
        outcome.summary = summary
        self.record(ticket, summary, outcome)
        if ticket.requester_id:
            handle = workflow.get_external_workflow_handle(ticket.requester_id, run_id=ticket.requester_run_id)
            try:
                await handle.signal(OUTCOME_SIGNAL, outcome)
            except Exception as exc:  # noqa: BLE001 - the front door was terminated: the work is done anyway
                workflow.logger.info("front door %s is gone: %s", ticket.requester_id, exc)
        # only now: the owner never ends (or continues as new) with a signal to a front door still in flight
        del self.running[ticket.key]
        self.changed = True

    def title(self, ticket: OperationTicket) -> str:
        versions = ",".join(ticket.versions) or "(whole project)"
        by = "cost guard: TTL expired" if ticket.requester_id is None else f"for {ticket.requester_id}"
        return f"{ticket.operation} {ticket.project} {versions} ({by})"[:400]

    # ------------------------------------------------------------------ cost guard

    def record(self, ticket: OperationTicket, summary: OperationSummary | None, outcome: OperationOutcome) -> None:
        """Update the guard from what an operation did: a start arms it, a stop or delete that worked clears it."""
        stop_at = self.state.stop_at
        if summary is None:
            if ticket.operation == START and outcome.error_type not in ("InvalidInput", "RegionNotConfigured"):
                # the run ended without a summary (terminated, say): what it started is unknown, so guard it all
                self.arm_unknown(ticket)
            return
        if ticket.operation == START:
            for version, regions in summary.stop_at.items():
                for region, moment in regions.items():
                    stop_at.setdefault(version, {})[region] = moment
                    self.state.warned.get(version, {}).pop(region, None)
            if summary.ttl_hours == 0:  # the start asked for no guard: it keeps running until stopped
                for row in summary.rows:
                    if row.status != REFUSED:  # the start left a refused version as it was, guard included
                        self.forget(row.version, row.region)
            return
        if ticket.operation not in (STOP, DELETE):
            return
        failed_versions = set()
        nothing_there_is_done = workflow.patched(GUARD_STOP_PATCH)
        for row in summary.rows:
            if row.ok or (row.status == NOTHING_THERE and nothing_there_is_done):
                for version in (list(stop_at) if row.version == ALL_VERSIONS else [row.version]):
                    self.forget(version, row.region)
                continue
            failed_versions.add(row.version)
            if ticket.requester_id is None and row.region in stop_at.get(row.version, {}):
                stop_at[row.version][row.region] = iso(workflow.now() + RETRY_FAILED_STOP)
        if ticket.regions is None:  # every configured region was covered: an unknown-regions guard is done
            for version in (ticket.versions or list(stop_at)):
                if version not in failed_versions and ALL_VERSIONS not in failed_versions:
                    self.forget(version, "*")

    def arm_unknown(self, ticket: OperationTicket) -> None:
        hours = ticket.request.get("TtlHours")
        if hours == 0:
            return
        moment = iso(workflow.now() + timedelta(hours=float(hours or UNKNOWN_TTL_HOURS)))
        for version in ticket.versions:
            for region in ticket.regions or ["*"]:  # "*": every configured region
                self.state.stop_at.setdefault(version, {})[region] = moment

    def forget(self, version: str, region: str) -> None:
        for table in (self.state.stop_at, self.state.warned):
            regions = table.get(version)
            if regions is not None:
                regions.pop(region, None)
                if not regions:
                    table.pop(version, None)

    def due_regions(self, ticket: OperationTicket) -> list[str] | None:
        """The regions of the ticket's version whose stop time has come (None = every region, '*' guard)."""
        now = workflow.now()
        due = [r for r, at in self.state.stop_at.get(ticket.versions[0], {}).items() if parse_iso(at) <= now]
        if "*" in due:
            return None
        return sorted(due) or []

    def next_guard_event(self) -> datetime | None:
        """When the loop must wake for the guard: a warning or a stop time, not one whose stop waits or runs."""
        handled = self.guard_stops_in_hand() if workflow.patched(GUARD_STOP_PATCH) else set()
        moments = []
        for version, regions in self.state.stop_at.items():
            for region, at in regions.items():
                moment = parse_iso(at)
                if moment <= workflow.now() and version in handled:
                    continue  # its stop's end wakes the loop
                moments.append(moment)
                warn = moment - WARN_BEFORE
                if warn > workflow.now() and self.state.warned.get(version, {}).get(region) != at:
                    moments.append(warn)
        return min(moments) if moments else None

    def guard_stops_in_hand(self) -> set[str]:
        """Versions whose guard's stop is queued or running."""
        tickets = [*self.state.queue, *(r.ticket for r in self.running.values())]
        return {t.versions[0] for t in tickets if t.requester_id is None}

    async def warn_and_queue_due_stops(self) -> None:
        now = workflow.now()
        queued = {t.versions[0] for t in self.state.queue if t.requester_id is None}
        running = {r.ticket.versions[0] for r in self.running.values() if r.ticket.requester_id is None}
        warnings: list[str] = []
        for version, regions in sorted(self.state.stop_at.items()):
            for region, at in sorted(regions.items()):
                moment = parse_iso(at)
                if moment <= now:
                    if version not in queued and version not in running:
                        self.state.queue.append(OperationTicket(
                            STOP, self.state.project, [version], None, {}, submitted_at=f"{iso(now)}/{version}"))
                        queued.add(version)
                elif moment - WARN_BEFORE <= now and self.state.warned.get(version, {}).get(region) != at:
                    self.state.warned.setdefault(version, {})[region] = at
                    warnings.append(f"{version} in {region} at {at}")
        if warnings:
            await self.publish(
                f"Global Custom Labels: {self.state.project} stops soon (cost guard)",
                f"Cost guard: project {self.state.project} will be stopped: {'; '.join(warnings)}. "
                "Start it again with a new TTL to keep it running.",
            )

    async def publish(self, subject: str, message: str) -> None:
        try:
            if self.topic is None:
                data: RegionalData = await workflow.execute_activity(
                    api.GET_REGIONAL_DATA, RegionalDataRequest(None), result_type=RegionalData, **api.LOCAL_CALL
                )
                self.topic = data.sns_topic_arn
            await workflow.execute_activity(api.PUBLISH, PublishInput(self.topic, subject[:100], message),
                                            **api.NOTIFY_CALL)
        except ActivityError as err:
            workflow.logger.warning("cost guard notification failed: %s", error_text(err))

