"""Print the results as rich tables, as JSON, or as docs/benchmarks.md."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from bench.results import SectionResult, fmt


def ratio_table(sections: list[SectionResult]) -> Table:
    table = Table(title="bench: ours / baseline (lower ratio = better unless noted)")
    for column in ("section", "measure", "ours", "baseline", "ratio", "baseline is", "note"):
        table.add_column(column, overflow="fold")
    for section in sections:
        if section.skipped:
            table.add_row(section.name, "skipped", "-", "-", "-", "-", section.skipped)
        for row in section.rows:
            table.add_row(row.section, row.measure, fmt(row.ours, row.unit), fmt(row.baseline, row.unit),
                          fmt(row.ratio, "x"), row.baseline_name, row.note)
    return table


def detail_tables(sections: list[SectionResult]) -> list[Table]:
    tables = []
    for section in sections:
        if not section.details:
            continue
        table = Table(title=f"{section.name}: details")
        for column in section.details[0]:
            table.add_column(column)
        for item in section.details:
            table.add_row(*(str(value) for value in item.values()))
        tables.append(table)
    return tables


def print_tables(sections: list[SectionResult], console: Console | None = None) -> None:
    console = console or Console(width=200)
    for table in detail_tables(sections):
        console.print(table)
    console.print(ratio_table(sections))


def as_json(sections: list[SectionResult], machine: dict, command: str) -> str:
    return json.dumps({
        "machine": machine,
        "command": command,
        "sections": [
            {"name": s.name, "skipped": s.skipped, "seconds": round(s.seconds, 1),
             "rows": [r.as_dict() for r in s.rows], "details": s.details}
            for s in sections
        ],
    }, indent=2)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(sections: list[SectionResult], machine: dict, command: str, when: str, notes: str = "") -> str:
    rows = []
    for section in sections:
        if section.skipped:
            rows.append([section.name, "skipped", "-", "-", "-", "-", section.skipped])
        for row in section.rows:
            rows.append([row.section, row.measure, fmt(row.ours, row.unit), fmt(row.baseline, row.unit),
                         fmt(row.ratio, "x"), row.baseline_name, row.note])
    parts = [
        "# Benchmarks",
        "",
        f"Measured {when} with `{command}` (all sections side by side in one run).",
        "",
        _md_table(["nproc", "memory", "python", "CPU"],
                  [[str(machine["nproc"]), machine["memory"], machine["python"], machine["cpu"]]]),
        "",
        "## Ratios (ours / baseline)",
        "",
        _md_table(["section", "measure", "ours", "baseline", "ratio", "baseline is", "note"], rows),
        "",
    ]
    for section in sections:
        if section.details:
            header = list(section.details[0])
            parts += [f"## {section.name}: details", "",
                      _md_table(header, [[str(item[h]) for h in header] for item in section.details]), ""]
    parts += ["## Section run times", "",
              _md_table(["section", "seconds"], [[s.name, f"{s.seconds:.1f}"] for s in sections]), ""]
    if notes:
        parts += [notes.strip(), ""]
    return "\n".join(parts)
