"""How to type this CLI again from a fresh shell: the commands we print must work as printed.

`python cli.py ...` fails with the system Python (typer lives in .venv), so printed hints name the interpreter
that runs us, relative to the current folder when it is inside it (`.venv/bin/python cli.py status`), or the
`gcl` script when that is how we were started.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

CLI_SCRIPT = Path(__file__).resolve().parents[1] / "cli.py"


def _shown(path: Path) -> str:
    """`path` relative to the current folder when it is inside it (keeping a venv's python unresolved)."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return str(absolute)
    shown = str(relative)
    return shown if "/" in shown else f"./{shown}"


def cli_prefix() -> str:
    """The words that start this CLI again: `gcl` when run as that script, else `<python> <cli.py>`."""
    launched = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if launched == "gcl":
        return shlex.quote(_shown(Path(sys.argv[0]))) if os.sep in sys.argv[0] else "gcl"
    script = _shown(CLI_SCRIPT)
    return f"{shlex.quote(_shown(Path(sys.executable)))} {shlex.quote(script.removeprefix('./'))}"


def cli_command(args: str) -> str:
    """A complete command line for `args` (e.g. "local down") that works from a fresh shell in this folder."""
    return f"{cli_prefix()} {args}".strip()
