"""`local up | down | status`: the embedded stack (Temporal dev server, local AWS, worker, inference)."""

import os
from typing import Annotated

import typer

from cli_commands import output
from cli_commands.errors import UserError, one_line_errors
from cli_commands.invocation import cli_command

app = typer.Typer(help="The embedded local stack: everything on 127.0.0.1, no AWS account needed.",
                  no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _config_and_settings():
    from configuration.settings import load_settings
    from local_stack.config import StackConfig

    try:
        config = StackConfig.from_env()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return config, load_settings(tfvars=config.tfvars)


def _print_status(config, settings, as_json: bool, extra: dict | None = None) -> list:
    from local_stack import stack

    rows = stack.status(config, settings)
    running = stack.running_config(config.state_dir) or config
    if as_json:
        output.print_json({
            "components": [row.__dict__ for row in rows],
            "env_file": str(running.env_file),
            "web_ui": running.ui_url,
            "inference": running.inference_url,
            **(extra or {}),
        })
        return rows
    from rich.table import Table

    table = Table(title=f"local stack ({config.state_dir})", title_justify="left")
    for column in ("Component", "State", "Pid", "Endpoint"):
        table.add_column(column)
    colours = {"running": "green", "stopped": "dim", "unhealthy": "red"}
    for row in rows:
        colour = colours[row.state]
        table.add_row(row.name, f"[{colour}]{row.state}[/{colour}]", str(row.pid or "-"), row.endpoint)
    output.console.print(table)
    logs = running.logs_dir
    output.console.print(f"logs: {os.path.relpath(logs) if str(logs).startswith(os.getcwd()) else logs}/<component>.log")
    if any(row.state == "running" for row in rows):
        output.console.print(f"Web UI: {running.ui_url}   env for other shells: . {running.env_file}")
    return rows


def ensure_up(quiet: bool = False):
    """Start the stack if it is not running (used by `local up` and `demo`); returns (config, settings, started)."""
    from local_stack import stack

    config, settings = _config_and_settings()
    try:
        started = stack.up(config, settings, report=(lambda _m: None) if quiet else output.console.print)
    except stack.StackError as exc:
        raise UserError(str(exc)) from None
    return stack.running_config(config.state_dir) or config, settings, started


def _lost_state_warning(workflows: list[str]) -> str:
    """One line: the local AWS state is gone, and which workflows it takes down with it."""
    line = "local AWS had stopped, so its state (buckets, models: kept in memory) was lost and bootstrapped anew"
    if not workflows:
        return line + "; no workflow was in flight"
    shown = ", ".join(workflows[:3]) + (f" and {len(workflows) - 3} more" if len(workflows) > 3 else "")
    return (f"{line}; {len(workflows)} workflow(s) in flight will fail or act on resources that are gone: {shown} "
            "(cancel them in the Web UI, then run them again)")


@app.command()
@one_line_errors
def up(as_json: JsonOption = False) -> None:
    """Start (or keep) the local stack; running it twice changes nothing. Says when local AWS state was lost."""
    from local_stack import stack

    config, _ = _config_and_settings()
    previous = stack.running_config(config.state_dir) or config
    lost = stack.aws_state_lost(previous)
    config, settings, started = ensure_up(quiet=as_json)
    affected = (stack.workflows_in_flight(config) or []) if lost else []
    if not as_json:
        output.console.print("started: " + ", ".join(started) if started else "already running")
        if lost:
            output.console.print(f"[yellow]{_lost_state_warning(affected)}[/yellow]")
    rows = _print_status(config, settings, as_json, extra={"local_aws_state_lost": lost,
                                                            "affected_workflows": affected})
    if any(row.state != "running" for row in rows):
        raise typer.Exit(1)


@app.command()
@one_line_errors
def down(
    grace: Annotated[float, typer.Option("--grace", help="Seconds between SIGTERM and SIGKILL.")] = 10.0,
    force: Annotated[bool, typer.Option("--force", help="Stop even while workflows are in flight.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Stop every process of the local stack (SIGTERM, then SIGKILL after the grace period).

    Refused while workflows are running (their local AWS resources live in memory and would be lost, and the
    CLIs following them would lose their server) unless --force. Temporal's database is kept.
    """
    from local_stack import stack
    from local_stack.config import StackConfig

    try:
        config = StackConfig.from_env()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    config = stack.running_config(config.state_dir) or config
    in_flight = [] if force else (stack.workflows_in_flight(config) or [])
    if in_flight:
        shown = ", ".join(in_flight[:3]) + (f" and {len(in_flight) - 3} more" if len(in_flight) > 3 else "")
        raise UserError(f"{len(in_flight)} workflow(s) in flight on the local stack ({shown}): wait for them, "
                        f"cancel them in the Web UI, or stop anyway with `{cli_command('local down --force')}` "
                        "(local AWS state is lost)")
    results = stack.down(config, grace_seconds=grace)
    if as_json:
        output.print_json(results)
    else:
        for name, outcome in results.items():
            output.console.print(f"{name}: {outcome}")


@app.command()
@one_line_errors
def status(as_json: JsonOption = False) -> None:
    """Show each process of the local stack, its health and its log file; exit 1 when not fully up."""
    config, settings = _config_and_settings()
    rows = _print_status(config, settings, as_json)
    if any(row.state != "running" for row in rows):
        raise typer.Exit(1)
