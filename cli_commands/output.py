"""Rich output for people, JSON for scripts."""

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console(soft_wrap=True)  # commands and URLs stay copy-pasteable
err_console = Console(stderr=True)

_COLOURS = {
    "RUNNING": "green", "TRAINING_COMPLETED": "green", "STOPPED": "cyan", "DELETED": "cyan", "SUCCEEDED": "green",
    "TRAINING_FAILED": "red", "FAILED": "red", "TIMED_OUT": "red", "ERROR": "red",
    "PENDING": "dim",
}


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def styled_status(status: str | None) -> str:
    status = status or "-"
    colour = _COLOURS.get(status, "yellow")
    return f"[{colour}]{status}[/{colour}]"


def progress_table(progress: dict | None, title: str = "") -> Table:
    """One row per region and version, as the parent workflow's `progress` query reports them."""
    table = Table(title=title or None, title_justify="left")
    for column in ("Region", "Version", "Status", "Detail"):
        table.add_column(column)
    for row in (progress or {}).get("rows", []):
        detail = row.get("error") or row.get("detail") or ""
        if row.get("error"):
            detail = f"[red]{detail}[/red]"
        table.add_row(row.get("region", ""), row.get("version", ""), styled_status(row.get("status")), detail)
    if not (progress or {}).get("rows"):
        table.add_row("-", "-", "[dim]waiting for the worker[/dim]", "")
    return table
