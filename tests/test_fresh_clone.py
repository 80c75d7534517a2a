"""Issue 12, proved on a clean clone: with a PATH holding none of the venv's tools and CI=true, tests that need the
Temporal binaries find them beside the interpreter, nothing is skipped for a missing tool and nothing downloads."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_a_clean_clone_runs_temporal_tests_without_the_venv_on_path(tmp_path):
    if not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    done = subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin") if p != venv_bin)
    env = {"PATH": path, "HOME": os.environ.get("HOME", str(tmp_path)), "CI": "true"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider",
                           "tests/test_tools_probe.py", "tests/cli/test_operations_need_a_worker.py"],
                          cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-4000:]
    assert "passed" in report and "skipped" not in report and "missing tool" not in report, report[-4000:]
    assert "download" not in report.lower(), report[-4000:]
