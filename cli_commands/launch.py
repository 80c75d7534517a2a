"""Start a parent workflow by type name and follow it: the shared engine of build/start/stop/delete."""

import asyncio
import time
from collections.abc import Callable
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field

from rich.markup import escape

from cli_commands import output
from cli_commands.errors import UserError
from cli_commands.temporal_client import connect, require_worker, workflow_url

WORKFLOW_TYPES = {
    "build": "BuildModelWorkflow",
    "start": "StartModelWorkflow",
    "stop": "StopModelWorkflow",
    "delete": "DeleteModelWorkflow",
}


@dataclass
class OperationRequest:
    operation: str
    project: str
    versions: list[str]  # empty = the whole project (delete only)
    regions: list[str]
    payload: dict = field(default_factory=dict)
    # Checks run after the worker and conflict checks, before the workflow starts: each returns one line to show
    # or raises UserError (e.g. checks.manifest_exists for a build).
    checks: list[Callable[[], str]] = field(default_factory=list)

    @property
    def workflow_type(self) -> str:
        return WORKFLOW_TYPES[self.operation]

    @property
    def workflow_id(self) -> str:
        """`{operation}/{project}/{versions joined by ','}` ('*' = whole project), per CONTRACTS.md."""
        from workflows.ids import bounded_id  # long names: readable prefix + hash

        return bounded_id(f"{self.operation}/{self.project}/{','.join(self.versions) or '*'}")


def overlaps(running_versions: list[str], requested: list[str]) -> bool:
    """Two operations on one project collide when either is whole-project or they share a version."""
    return not running_versions or not requested or bool(set(running_versions) & set(requested))


async def _registered_search_attributes(client) -> bool:
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
    from temporalio.service import RPCError

    try:
        response = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace))
    except RPCError:  # e.g. an API key without operator rights: behave as if unregistered
        return False
    from workflows.search_attributes import DEFINITIONS

    return all(name in response.custom_attributes for name in DEFINITIONS)


async def find_conflict(client, request: OperationRequest, searchable: bool) -> str | None:
    """Workflow id of a running build/start/stop/delete on the same project and versions, if any."""
    if searchable:
        types = ", ".join(f"'{t}'" for t in WORKFLOW_TYPES.values())
        query = (f"ExecutionStatus = 'Running' AND ProjectName = '{request.project}' "
                 f"AND WorkflowType IN ({types})")
        from temporalio.common import SearchAttributeKey

        versions_key = SearchAttributeKey.for_keyword_list("VersionNames")
        async for execution in client.list_workflows(query, limit=100):
            running = list(execution.typed_search_attributes.get(versions_key) or [])
            if overlaps(running, request.versions):
                return execution.id
        return None
    # Without search attributes we can only see our own workflow id.
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.service import RPCError

    try:
        description = await client.get_workflow_handle(request.workflow_id).describe()
    except RPCError:
        return None
    return request.workflow_id if description.status == WorkflowExecutionStatus.RUNNING else None


def _search_attributes(request: OperationRequest):
    from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

    return TypedSearchAttributes([
        SearchAttributePair(SearchAttributeKey.for_keyword("ProjectName"), request.project),
        SearchAttributePair(SearchAttributeKey.for_keyword("Operation"), request.operation),
        SearchAttributePair(SearchAttributeKey.for_keyword_list("VersionNames"), list(request.versions)),
        SearchAttributePair(SearchAttributeKey.for_keyword_list("Regions"), list(request.regions)),
    ])


async def start_operation(client, request: OperationRequest, task_queue: str, report=lambda line: None):
    """Run the request's checks, then start the front door workflow; returns (handle, searchable).

    An overlapping operation already running is no error: the project's owner runs this one when it ends
    (workflows/project.py); the CLI says so in one line.
    """
    from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
    from temporalio.exceptions import WorkflowAlreadyStartedError

    await require_worker(client, task_queue)
    searchable = await _registered_search_attributes(client)
    conflict = await find_conflict(client, request, searchable)
    for check in request.checks:
        report(await asyncio.to_thread(check))
    if conflict and conflict != request.workflow_id:
        report(f"queued: {conflict} is running on project {request.project}; this operation starts when it ends")
    try:
        handle = await client.start_workflow(
            request.workflow_type, request.payload, id=request.workflow_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=_search_attributes(request) if searchable else None,
            static_summary=f"{request.operation} {request.project} {','.join(request.versions) or '(whole project)'}",
        )
    except WorkflowAlreadyStartedError:
        raise UserError(f"{request.workflow_id} is already running: wait for it or cancel it "
                        f"({workflow_url(request.workflow_id, client.namespace)})") from None
    return handle, searchable


def _failure_message(exc: BaseException) -> str:
    cause = exc
    while getattr(cause, "cause", None) is not None:
        cause = cause.cause
    return str(getattr(cause, "message", None) or cause)


def _failure_summary(exc: BaseException) -> dict | None:
    """The operation's summary an OperationFailed error carries in its details (None for other failures)."""
    cause = getattr(exc, "cause", None)
    details = getattr(cause, "details", None) or ()
    if getattr(cause, "type", None) == "OperationFailed" and details and isinstance(details[0], dict):
        return details[0]
    return None


async def follow(handle, title: str, live: bool, watch) -> tuple[dict | None, str | None, dict | None]:
    """Refresh the live table from visibility (cli_commands/follow.py) until the workflow ends:
    (result, failure, last progress)."""
    from rich.live import Live
    from temporalio.client import WorkflowFailureError
    from temporalio.service import RPCError

    from cli_commands.follow import REFRESH_MIN_SECONDS, next_refresh, read_progress

    result_task = asyncio.ensure_future(handle.result())
    last: dict | None = None
    delay = REFRESH_MIN_SECONDS
    display = Live(output.progress_table(None, title), console=output.console, refresh_per_second=4) if live else None
    with display or nullcontext():
        while not result_task.done():
            progress = last
            with suppress(RPCError):  # visibility briefly unavailable (a server restart): keep the last table
                progress = await read_progress(watch)
            changed, last = progress != last, progress
            if display is not None and changed:
                display.update(output.progress_table(last, title))
            delay = next_refresh(delay, changed)
            await asyncio.wait({result_task}, timeout=delay)
        try:
            result = result_task.result()
            failure = None
        except WorkflowFailureError as exc:
            result, failure = _failure_summary(exc), _failure_message(exc)
        if display is not None:
            display.update(final_table(result, failure, last))
    return result, failure, last


def rollout_waiting(payload: dict) -> str:
    """What a build's regions not started yet wait for (issue 17.2), for the live table."""
    reasons = []
    if payload.get("CanaryRegion"):
        reasons.append(f"after canary {payload['CanaryRegion']}")
    if payload.get("MaxConcurrentRegions"):
        reasons.append(f"{payload['MaxConcurrentRegions']} region(s) at once")
    return ("waits: " + ", ".join(reasons)) if reasons else ""


def failed_regions(result: dict | None, last: dict | None) -> dict[str, str]:
    """Per-region failures from the result, or (workflow failed as a whole) from the last progress rows."""
    if result is not None:
        return dict(result.get("failed", {}))
    failed: dict[str, str] = {}
    for row in (last or {}).get("rows", []):
        if row.get("error") or row.get("ok") is False:
            failed.setdefault(row.get("region", "?"), row.get("error") or row.get("status") or "failed")
    return failed


def final_progress(result: dict | None, failure: str | None, last: dict | None) -> dict:
    """The last table: every row settled (nothing CHECKING once the operation is over)."""
    from cli_commands.outcome import scored_rows, settle_rows

    progress = dict(result or last or {})
    # rows no version workflow ever answered for (still queued, or the operation failed before its fan-out)
    # are not part of the outcome: the result's rows are, when there is a result
    rows = [row for row in progress.get("rows", []) if not row.get("pending")]
    rows = scored_rows(rows, (result or {}).get("evaluation") or {})
    progress["rows"] = settle_rows(rows, failed_regions(result, last), failure)
    return progress


def final_table(result: dict | None, failure: str | None, last: dict | None):
    """The settled table; nothing when no region started (a dataset rejected before the fan-out)."""
    from rich.text import Text

    progress = final_progress(result, failure, last)
    return output.progress_table(progress, header=False) if progress["rows"] else Text("")


def print_summary(request: OperationRequest, result: dict | None, failure: str | None, seconds: float,
                  last: dict | None = None) -> None:
    """One count line, then one short line per distinct cause with the regions it hit (outcome.py); after a clean
    run, each version's F1 spread across regions."""
    from cli_commands.outcome import spread_lines, summary_lines, warning_lines

    found = result or {}
    succeeded = found.get("succeeded", [])
    failed = failed_regions(result, last)
    refused, not_attempted = found.get("refused") or {}, found.get("not_attempted") or {}
    title = f"{request.operation} {request.project} {','.join(request.versions) or '(whole project)'}"
    lines = summary_lines(title, succeeded, failed, failure, seconds, output.console.width, refused=refused,
                          not_attempted=not_attempted)
    colour = "red" if failed or failure else "yellow" if refused or not_attempted else "green"
    for number, line in enumerate(lines):
        output.console.print(f"[{colour}]{escape(line)}[/{colour}]" if number == 0 else f"[red]{escape(line)}[/red]")
    if not (failed or failure or refused or not_attempted):  # otherwise the causes need the room; --json has it
        for line in spread_lines(found.get("evaluation") or {}, output.console.width):
            output.console.print(escape(line))
    for line in warning_lines(found.get("dataset_warnings") or [], output.console.width):
        output.console.print(f"[yellow]{escape(line)}[/yellow]")


async def run_operation(request: OperationRequest, task_queue: str, *, wait: bool, as_json: bool,
                        client=None) -> int:
    """Start, then either return at once (--no-wait) or follow to the end. Exit code 1 if any region failed."""
    client = client or await connect()
    handle, searchable = await start_operation(client, request, task_queue,
                                               report=(lambda _line: None) if as_json else output.console.print)
    url = workflow_url(request.workflow_id, client.namespace)
    if not wait:
        if as_json:
            output.print_json({"workflow_id": request.workflow_id, "run_id": handle.result_run_id, "url": url})
        else:
            output.console.print(f"started [bold]{request.workflow_id}[/bold]\n{url}")
        return 0
    if not as_json:
        output.console.print(f"[bold]{request.workflow_id}[/bold]  {url}")
    live = not as_json and output.console.is_terminal
    began = time.monotonic()
    from cli_commands.follow import Watch

    started_at = (await handle.describe()).start_time
    watch = Watch(client, request.operation, request.project, list(request.versions), list(request.regions),
                  request.workflow_id, started_at, searchable, rollout_waiting(request.payload))
    result, failure, last = await follow(handle, f"{request.operation} {request.project}", live, watch)
    seconds = time.monotonic() - began
    if as_json:
        output.print_json({"workflow_id": request.workflow_id, "url": url, "result": result, "error": failure,
                           "progress": None if result else last, "seconds": round(seconds, 1)})
    else:
        if not live and final_progress(result, failure, last)["rows"]:
            output.console.print(final_table(result, failure, last))
        print_summary(request, result, failure, seconds, last)
    return 1 if failure or (result or {}).get("failed") else 0
