"""`local up | down | status`: the embedded stack (Temporal dev server, local AWS, worker, inference)."""

import os
from typing import Annotated

import typer

from cli_commands import output
from cli_commands.errors import UserError, one_line_errors

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


def _print_status(config, settings, as_json: bool) -> list:
    from local_stack import stack

    rows = stack.status(config, settings)
    running = stack.running_config(config.state_dir) or config
    if as_json:
        output.print_json({
            "components": [row.__dict__ for row in rows],
            "env_file": str(running.env_file),
            "web_ui": running.ui_url,
            "inference": running.inference_url,
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


@app.command()
@one_line_errors
def up(as_json: JsonOption = False) -> None:
    """Start (or keep) the local stack; running it twice changes nothing."""
    config, settings, started = ensure_up(quiet=as_json)
    if not as_json:
        output.console.print("started: " + ", ".join(started) if started else "already running")
    rows = _print_status(config, settings, as_json)
    if any(row.state != "running" for row in rows):
        raise typer.Exit(1)


@app.command()
@one_line_errors
def down(
    grace: Annotated[float, typer.Option("--grace", help="Seconds between SIGTERM and SIGKILL.")] = 10.0,
    as_json: JsonOption = False,
) -> None:
    """Stop every process of the local stack (SIGTERM, then SIGKILL after the grace period). State is kept."""
    from local_stack import stack
    from local_stack.config import StackConfig

    config = StackConfig.from_env()
    results = stack.down(stack.running_config(config.state_dir) or config, grace_seconds=grace)
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
