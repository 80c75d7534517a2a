"""`adopt`: make a model trained in one region (e.g. in the Custom Labels console) the same model in every region.

Starts AdoptProjectWorkflow (workflows/adopt.py), or follows the one already running for this project and source
region (the same workflow id): live copy progress, then the build's per-region table, then each region's F1 next to
the source model's. A finished adopt started again reports that the project is already global.
"""

import asyncio
import time
from contextlib import nullcontext, suppress
from datetime import timedelta
from typing import Annotated

import typer
from rich.markup import escape

from cli_commands import environment, output
from cli_commands.errors import UserError, one_line_errors
from cli_commands.invocation import cli_command
from cli_commands.operations import JsonOption, ProjectOption, RegionOption, WaitOption

WORKFLOW_TYPE = "AdoptProjectWorkflow"
QUERY_INTERVAL_SECONDS = 2.0  # as launch.py: each query is a task on the worker
UNREADABLE_SHOWN = 10  # --json has up to 100 of them


@one_line_errors
def adopt(
    from_region: Annotated[str, typer.Option("--from-region", help="Region where the project was trained (e.g. in the console).")],
    project: ProjectOption = None,
    version: Annotated[str | None, typer.Option("--version", "-v", help="Source version whose data and F1 to use (default: its newest trained version).")] = None,
    region: RegionOption = None,
    wait: WaitOption = True,
    as_json: JsonOption = False,
) -> None:
    """Copy a project trained in one region (its datasets, or a version's manifests) and train it in every region."""
    environment.use_local_stack_if_running()
    settings = environment.load_settings()
    project_name = environment.project_name(project, settings)
    version_name = environment.version_names([version])[0] if version else None
    source_region = _custom_labels_region(from_region)
    selected = environment.selected_regions(region, settings)
    _require_source(project_name, source_region, version_name)
    payload = {"ProjectName": project_name, "SourceRegion": source_region}
    if version_name:
        payload["VersionName"] = version_name
    if region:
        payload["Regions"] = selected
    from workflows.adopt import adopt_workflow_id

    workflow_id = adopt_workflow_id(project_name, source_region)
    try:
        code = asyncio.run(_run(workflow_id, payload, settings.task_queue, wait, as_json))
    except KeyboardInterrupt:
        from cli_commands.errors import report_interrupt

        report_interrupt(f"interrupted: {workflow_id} keeps running if it started (adopt again to follow it)")
        raise typer.Exit(130) from None
    if code:
        raise typer.Exit(code)


def _custom_labels_region(name: str) -> str:
    from cli_commands.suggest import did_you_mean
    from configuration.regions import CUSTOM_LABELS_REGIONS

    if name not in CUSTOM_LABELS_REGIONS:
        raise UserError(f"--from-region {name} does not offer Custom Labels{did_you_mean(name, CUSTOM_LABELS_REGIONS, n=1)}"
                        f": choose from {', '.join(CUSTOM_LABELS_REGIONS)}")
    return name


def _require_source(project: str, region: str, version: str | None) -> None:
    """The project (and version) exist in the source region, else one line with "did you mean" (the workflow checks
    it again: this only saves starting a workflow for a typo)."""
    from cli_commands.model_versions import describe_everywhere, project_names
    from cli_commands.suggest import did_you_mean

    found = describe_everywhere(project, [region])[0]
    if found.error:
        return  # cannot read it from here: let the workflow say why
    if not found.project_exists:
        raise UserError(f"project {project} not found in {region}{did_you_mean(project, project_names(region))}")
    names = [v["version"] for v in found.versions]
    if version is not None and version not in names:
        raise UserError(f"version {version} of project {project} not found in {region}{did_you_mean(version, names)}"
                        f" (versions: {', '.join(names) or 'none'})")


async def _run(workflow_id: str, payload: dict, task_queue: str, wait: bool, as_json: bool) -> int:
    from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

    from cli_commands.temporal_client import connect, require_worker, workflow_url

    client = await connect()
    await require_worker(client, task_queue)
    resumed = await _running(client, workflow_id)
    handle = await client.start_workflow(WORKFLOW_TYPE, payload, id=workflow_id, task_queue=task_queue,
                                         id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                                         id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    url = workflow_url(workflow_id, client.namespace)
    if not wait:
        if as_json:
            output.print_json({"workflow_id": workflow_id, "url": url, "resumed": resumed})
        else:
            output.console.print(f"{'following' if resumed else 'started'} [bold]{escape(workflow_id)}[/bold]\n{url}")
        return 0
    if not as_json:
        note = "  (already running: following it)" if resumed else ""
        output.console.print(f"[bold]{escape(workflow_id)}[/bold]  {url}{escape(note)}")
    began = time.monotonic()
    result, failure, details = await _follow(client, handle, live=not as_json and output.console.is_terminal)
    seconds = time.monotonic() - began
    summary = result or details
    if as_json:
        output.print_json({"workflow_id": workflow_id, "url": url, "resumed": resumed, "result": summary,
                           "error": failure, "seconds": round(seconds, 1)})
    else:
        _print_outcome(summary, failure, seconds)
    return 1 if failure or (result or {}).get("failed") else 0


async def _running(client, workflow_id: str) -> bool:
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.service import RPCError

    try:
        return (await client.get_workflow_handle(workflow_id).describe()).status == WorkflowExecutionStatus.RUNNING
    except RPCError:  # never started
        return False


async def _query(client, workflow_id: str | None) -> dict | None:
    """A workflow's `progress`, or None while it cannot answer (first task pending, worker restarting)."""
    from temporalio.client import WorkflowQueryFailedError
    from temporalio.service import RPCError

    if not workflow_id:
        return None
    with suppress(RPCError, WorkflowQueryFailedError):
        return await client.get_workflow_handle(workflow_id).query("progress", rpc_timeout=timedelta(seconds=5))
    return None


async def _follow(client, handle, live: bool) -> tuple[dict | None, str | None, dict | None]:
    """Until the adoption ends: (result, failure line, the summary a failure carries)."""
    from rich.live import Live
    from temporalio.client import WorkflowFailureError

    result_task = asyncio.ensure_future(handle.result())
    display = Live(_view(None, None), console=output.console, refresh_per_second=4) if live else None
    with display or nullcontext():
        while not result_task.done():
            progress = await _query(client, handle.id)
            build = None
            if progress and progress.get("phase") == "building":
                build = await _query(client, (progress.get("summary") or {}).get("build_workflow_id"))
            if display is not None:
                display.update(_view(progress, build))
            await asyncio.wait({result_task}, timeout=QUERY_INTERVAL_SECONDS)
        if display is not None:
            display.update("")
    try:
        return result_task.result(), None, None
    except WorkflowFailureError as exc:
        cause = exc.cause
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause
        details = getattr(cause, "details", None) or ()
        return None, str(getattr(cause, "message", None) or cause), details[0] if details and isinstance(
            details[0], dict) else None


def _view(progress: dict | None, build: dict | None):
    """The live view: the phase and the copy's progress bar, then the build's per-region table."""
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    summary = (progress or {}).get("summary") or {}
    if not summary:
        return "adopt: waiting for the worker"
    parts = [f"adopt {summary['project']} from {summary['source_region']}: {progress.get('phase')}"]
    total = summary.get("images") or 0
    if total:
        done = (summary.get("copied") or 0) + (summary.get("skipped") or 0) + (summary.get("unreadable_count") or 0)
        line = Table.grid(padding=(0, 1))
        line.add_row(ProgressBar(total=total, completed=done, width=30),
                     f"{done}/{total} images ({summary.get('copied', 0)} copied, {summary.get('skipped', 0)} already "
                     f"there, {summary.get('unreadable_count', 0)} unreadable)")
        parts.append(line)
    if build is not None:
        parts.append(output.progress_table(build, f"build {summary.get('project')} {summary.get('version')}"))
    return Group(*parts)


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.4f}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def comparison_table(summary: dict):
    """Region, status, F1, the source's F1 and the difference: whether the copies match the original."""
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("Region", "Status", "F1", "Source F1", "Difference", "Detail"):
        table.add_column(name, no_wrap=True, overflow="ellipsis",
                         justify="right" if name in ("F1", "Source F1", "Difference") else "left")
    for row in summary.get("regions") or []:
        detail = " ".join(str(row.get("error") or "").split())
        table.add_row(escape(row["region"]), output.styled_status(row.get("status")), _score(row.get("f1_score")),
                      _score(row.get("source_f1_score")), _signed(row.get("difference")),
                      f"[red]{escape(detail)}[/red]" if detail else "")
    return table


def _print_outcome(summary: dict | None, failure: str | None, seconds: float) -> None:
    from cli_commands.outcome import shorten, summary_lines

    console = output.console
    if summary is None:
        console.print(f"[red]{escape(shorten(f'adopt failed ({seconds:.0f} s): {failure}'))}[/red]")
        return
    what = (f"adopt {summary['project']} {summary.get('version') or ''} from {summary['source_region']}"
            f" (source F1 {_score(summary.get('source_f1_score'))})")
    if summary.get("already_global"):
        console.print(comparison_table(summary))
        console.print(f"[green]{escape(what)}: already global, every region has it trained[/green]")
        return
    if summary.get("images"):
        skipped = f", {summary['skipped']} already there" if summary["skipped"] else ""
        console.print(escape(shorten(
            f"{what}: {summary['train_entries']} train + {summary['test_entries']} test entries ({summary['origin']}),"
            f" {summary['images']} images, {summary['copied']} copied{skipped}")))
    unreadable = summary.get("unreadable") or []
    if unreadable:
        count = summary.get("unreadable_count", len(unreadable))
        console.print(f"[red]{count} of {summary['images']} image(s) cannot be copied, nothing was trained:[/red]")
        for image in unreadable[:UNREADABLE_SHOWN]:
            console.print(f"  [red]{escape(image['source'])}[/red]: {escape(image['reason'])}")
        if count > UNREADABLE_SHOWN:
            console.print(f"  … and {count - UNREADABLE_SHOWN} more (--json lists up to 100)")
        console.print("give the worker read access to them or fix the dataset, then adopt again (what was copied is "
                      "not copied again):")
        console.print("  " + escape(cli_command(f"adopt --project {summary['project']} --from-region "
                                                f"{summary['source_region']}")))
        return
    if summary.get("regions"):
        console.print(comparison_table(summary))
    succeeded, failed = summary.get("succeeded") or [], summary.get("failed") or {}
    for number, line in enumerate(summary_lines(what, succeeded, failed, failure if not failed else None, seconds,
                                                console.width)):
        colour = "red" if failed or failure else "green"
        console.print(f"[{colour}]{escape(line)}[/{colour}]" if number == 0 else f"[red]{escape(line)}[/red]")
