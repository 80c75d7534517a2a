"""The one place tests get the programs they need (through configuration.tools, like the CLI and the local stack).

Outside CI a missing tool skips the test with a reason that starts with "missing tool:" and says how to install it.
Under CI=true it fails the test instead: CI must never turn green because a machine lacked a tool.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from configuration.tools import find_tool, install_hint

PLUGIN_DIR = Path("/opt/tf-plugins")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_tool(name: str, hint: str | None = None) -> NoReturn:
    message = f"missing tool: {name} ({hint or install_hint(name)})"
    if in_ci():
        pytest.fail(message + " - required under CI=true", pytrace=False)
    pytest.skip(message)


def required_tool(name: str) -> str:
    """The tool's absolute path; skips (or fails under CI) when it is not installed."""
    return find_tool(name) or missing_tool(name)


def temporal_cli_path() -> str:
    return required_tool("temporal")


def temporal_test_server_path() -> str:
    return required_tool("temporal-test-server")


def terraform_path() -> str:
    """terraform, on machine kinds that have the offline provider mirror (elsewhere the tests skip, CI included)."""
    if not PLUGIN_DIR.is_dir():
        pytest.skip(f"no offline AWS provider mirror at {PLUGIN_DIR} on this machine kind")
    explicit = os.environ.get("TERRAFORM_BIN")
    if explicit:
        return explicit if Path(explicit).is_file() else missing_tool("terraform", f"TERRAFORM_BIN={explicit} not found")
    return required_tool("terraform")


def checkov_path(repo_root: Path) -> str:
    """checkov lives in its own venv (`make tools`), or wherever $CHECKOV points."""
    for candidate in (os.environ.get("CHECKOV"), str(repo_root / ".venv-checkov" / "bin" / "checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    missing_tool("checkov", "run `make tools` (.venv-checkov/bin/checkov) or set $CHECKOV")
