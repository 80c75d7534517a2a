"""`python cli.py --help` must not load temporalio or boto3 (they cost seconds on a cold start)."""

import subprocess
import sys

import pytest
from cli_helpers import PROJECT_ROOT

HEAVY = ("temporalio", "boto3", "botocore", "moto", "hcl2")


def _imported_modules(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", str(PROJECT_ROOT / "cli.py"), *args],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage" in done.stdout
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert modules, "python -X importtime printed nothing"
    return modules


@pytest.mark.parametrize("args", [("--help",), ("start", "--help"), ("local", "--help"), ("sync", "--help")])
def test_help_does_not_import_heavy_libraries(args):
    modules = _imported_modules(*args)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []
    assert "typer" in modules  # the measurement works: the CLI framework itself shows up
