"""Rich output for people, JSON for scripts."""

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(soft_wrap=True)  # commands and URLs stay copy-pasteable
err_console = Console(stderr=True)

_COLOURS = {
    "RUNNING": "green", "TRAINING_COMPLETED": "green", "STOPPED": "cyan", "DELETED": "cyan", "SUCCEEDED": "green",
    "TRAINING_FAILED": "red", "FAILED": "red", "TIMED_OUT": "red", "ERROR": "red",
    "PENDING": "dim", "NOT_ATTEMPTED": "dim", "REFUSED": "magenta",
}


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def styled_status(status: str | None) -> str:
    status = status or "-"
    colour = _COLOURS.get(status, "yellow")
    return f"[{colour}]{status}[/{colour}]"


def progress_table(progress: dict | None, title: str = "", width: int | None = None, header: bool = True) -> Table:
    """One row per region and version, as the parent workflow's `progress` query reports them.

    Compact (a header line and one line per row, no borders) and never wider than `width` (the terminal, at
    most outcome.MAX_LINE): the Detail column is cut with an ellipsis; `--json` keeps the full details.
    header=False for the final table, whose rows (region, version, status, detail) speak for themselves and
    whose summary follows: one line less, so 11 regions fit in 15 lines.
    """
    from cli_commands.outcome import MAX_LINE

    width = min(width or console.width, MAX_LINE)
    rows = (progress or {}).get("rows", [])
    cells = []
    for row in rows:
        detail = " ".join(str(row.get("error") or row.get("detail") or "").split())
        cells.append((str(row.get("region", "")), str(row.get("version", "")), str(row.get("status") or "-"),
                      detail, bool(row.get("error"))))
    if not rows:
        cells.append(("-", "-", "starting", "", False))
    fixed = [max([len(name)] + [min(len(cell[i]), 30) for cell in cells]) for i, name in
             enumerate(("Region", "Version", "Status"))]
    table = Table(title=title or None, title_justify="left", box=None, header_style="bold", pad_edge=False,
                  show_header=header)
    for name, size in zip(("Region", "Version", "Status"), fixed, strict=True):
        table.add_column(name, no_wrap=True, overflow="ellipsis", min_width=size, max_width=size)
    table.add_column("Detail", no_wrap=True, overflow="ellipsis", max_width=max(width - sum(fixed) - 6, 10))
    for region, version, status, detail, is_error in cells:
        shown = styled_status(status) if rows else f"[dim]{status}[/dim]"
        table.add_row(escape(region), escape(version), shown, f"[red]{escape(detail)}[/red]" if is_error else escape(detail))
    return table
