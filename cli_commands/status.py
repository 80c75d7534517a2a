"""`status`: every version in every region, read live from Rekognition, the inference units running (what bills
by the hour) and where, plus any cost guard's time left."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from cli_commands import environment, output
from cli_commands.errors import one_line_errors


async def cost_guards(project: str) -> tuple[list[dict], dict[str, dict[str, str]]]:
    """When the cost guard stops each version in each region (the project's owner: one query), and any
    CostGuardWorkflow of runs started before the owner existed. Empty if Temporal is away."""
    from datetime import timedelta

    from temporalio.client import WorkflowQueryFailedError
    from temporalio.service import RPCError

    from cli_commands.errors import UserError
    from cli_commands.temporal_client import connect
    from workflows.owner_api import STATE_QUERY, project_workflow_id

    try:
        client = await connect(timeout_seconds=3)
    except UserError:
        return [], {}
    stop_at: dict[str, dict[str, str]] = {}
    try:
        state = await client.get_workflow_handle(project_workflow_id(project)).query(
            STATE_QUERY, rpc_timeout=timedelta(seconds=5))
        stop_at = dict(state.get("stop_at") or {})
    except (RPCError, WorkflowQueryFailedError):  # no owner (nothing guarded), or no worker answering right now
        pass
    guards = []
    try:
        query = "WorkflowType = 'CostGuardWorkflow' AND ExecutionStatus = 'Running'"
        async for execution in client.list_workflows(query, limit=50):
            if not execution.id.startswith(f"ttl/{project}/"):  # cost guards are `ttl/{project}/{versions}`
                continue
            handle = client.get_workflow_handle(execution.id)
            try:
                expires = await handle.query("expires_at", rpc_timeout=timedelta(seconds=5))
            except (RPCError, WorkflowQueryFailedError):  # no worker answering right now
                expires = None
            guards.append({"workflow_id": execution.id, "expires_at": expires})
    except RPCError:  # visibility unavailable: the table is still useful without guards
        return guards, stop_at
    return guards, stop_at


def stop_time(stop_at: dict[str, dict[str, str]], version: str, region: str) -> str | None:
    """When the cost guard stops this version here ('*' = a guard over every region), or None."""
    regions = stop_at.get(version) or {}
    return regions.get(region) or regions.get("*")


def _remaining(expires_at: str | None) -> str:
    from cli_commands.durations import format_remaining

    if not expires_at:
        return "unknown"
    moment = datetime.fromisoformat(str(expires_at))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_remaining((moment - datetime.now(UTC)).total_seconds())


def _f1(evaluation: dict | None) -> str:
    """F1 as the console shows it (3 decimals); blank for versions without an evaluation."""
    f1 = (evaluation or {}).get("f1")
    return "" if f1 is None else f"{f1:.3f}"


def f1_spreads(described) -> dict[str, dict]:
    """Each version's F1 across the regions where it is evaluated (workflows/quality.py): lowest, highest, spread."""
    from workflows.quality import spreads

    by_version: dict[str, dict[str, dict]] = {}
    for rv in described:
        for v in rv.versions:
            by_version.setdefault(v["version"], {})[rv.region] = v.get("evaluation")
    return {version: {"min": s.low, "min_region": s.low_region, "max": s.high, "max_region": s.high_region,
                      "spread": s.width, "regions": s.regions, "text": s.text()}
            for version, s in spreads(by_version).items()}


BILLED_STATUS = "RUNNING"  # Custom Labels bills inference units for the hours a model runs (README: Cost)


def running_units(described) -> dict:
    """Inference units of RUNNING versions: {"total", "by_region": {region: units}, "versions": [...]}.

    The count is MinInferenceUnits from DescribeProjectVersions, the units a started model keeps; a version started
    with MaxInferenceUnits may scale above it (DescribeProjectVersions does not report the current count)."""
    versions = [{"region": rv.region, "version": v["version"], "units": v["min_units"] or 0}
                for rv in described for v in rv.versions if v["status"] == BILLED_STATUS]
    by_region: dict[str, int] = {}
    for item in versions:
        by_region[item["region"]] = by_region.get(item["region"], 0) + item["units"]
    return {"total": sum(by_region.values()), "by_region": by_region, "versions": versions}


def _units_line(units: dict) -> str:
    if not units["total"]:
        return "inference units running: 0"
    where = ", ".join(f"{region} {count}" for region, count in units["by_region"].items())
    return f"inference units running: {units['total']} ({where})"


@one_line_errors
def status(
    project: Annotated[str | None, typer.Option("--project", "-p", help="Project name (default: project_name setting).")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="Only this region (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Status of every version of the project in every configured region (live from Rekognition)."""
    from cli_commands.model_versions import describe_everywhere

    environment.use_local_stack_if_running()
    settings = environment.load_settings()
    project_name = environment.project_name(project, settings)
    regions = environment.selected_regions(region, settings)
    described = describe_everywhere(project_name, regions)
    guards, stop_at = asyncio.run(cost_guards(project_name))
    for guard in guards:
        guard["time_left"] = _remaining(guard["expires_at"])
    for rv in described:
        for v in rv.versions:
            v["stop_at"] = stop_time(stop_at, v["version"], rv.region)
    unreadable = [rv.region for rv in described if rv.error]
    spread = f1_spreads(described)
    units = running_units(described)
    if as_json:
        output.print_json({"project": project_name, "regions": [rv.__dict__ for rv in described],
                           "inference_units": units, "cost_guards": guards, "stop_at": stop_at, "f1_spread": spread})
        if unreadable:  # status could not say what runs there: not a success
            raise typer.Exit(1)
        return
    from rich.table import Table

    table = Table(title=f"project {project_name}", title_justify="left")
    for column in ("Region", "Version", "Status", "Units", "F1", "Stops in", "Message"):
        table.add_column(column)
    for rv in described:
        if rv.error:
            table.add_row(rv.region, "-", "[red]ERROR[/red]", "", "", "", rv.error)
        elif not rv.project_exists:
            table.add_row(rv.region, "-", "[dim]no project[/dim]")
        elif not rv.versions:
            table.add_row(rv.region, "-", "[dim]no versions[/dim]")
        for v in rv.versions:
            guarded = v["stop_at"] and v["status"] in ("RUNNING", "STARTING")
            table.add_row(rv.region, v["version"], output.styled_status(v["status"]), str(v["min_units"] or ""),
                          _f1(v.get("evaluation")), _remaining(v["stop_at"]) if guarded else "", v["message"][:80])
    output.console.print(table)
    output.console.print(_units_line(units))
    for version, found in spread.items():
        if found["regions"] > 1:  # behind one endpoint, callers get whichever region's model is nearest
            output.console.print(f"{escape(version)}: {found['text']}")
    for guard in guards:
        output.console.print(f"cost guard {guard['workflow_id']}: stops in {guard['time_left']}")
    if unreadable:
        output.console.print(f"[red]could not read {len(unreadable)} of {len(described)} region(s): "
                             f"{', '.join(unreadable)}[/red]")
        raise typer.Exit(1)
