"""The one tool lookup (configuration/tools.py) and the CI rule of tests/required_tools.py, in real subprocesses."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from configuration.tools import ToolNotFoundError, find_tool, require_tool

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_pip_tools_are_found_beside_the_interpreter_and_never_on_path(tmp_path, monkeypatch):
    impostor = tmp_path / "temporal"
    impostor.write_text("#!/bin/sh\nexit 3\n")
    impostor.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    found = find_tool("temporal")
    assert found is not None and Path(found).parent == Path(sys.executable).parent
    assert Path(found) != impostor


def test_a_missing_tool_names_the_package_that_provides_it():
    try:
        require_tool("temporal-test-server-that-does-not-exist")
    except ToolNotFoundError as missing:
        assert "temporal-test-server-that-does-not-exist" in str(missing)
    else:
        raise AssertionError("a tool that does not exist was found")


def _run_probe(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess:
    (tmp_path / "test_probe.py").write_text(textwrap.dedent("""
        from required_tools import required_tool

        def test_needs_a_tool_nobody_has():
            required_tool("no-such-tool-gcl")
    """))
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{PROJECT_ROOT}{os.pathsep}{PROJECT_ROOT / 'tests'}"})
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider", "--rootdir",
                           str(tmp_path), str(tmp_path / "test_probe.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_outside_ci_a_missing_tool_skips_with_how_to_install_it(tmp_path):
    done = _run_probe(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SKIPPED" in done.stdout and "missing tool: no-such-tool-gcl" in done.stdout, done.stdout


def test_under_ci_a_missing_tool_fails(tmp_path):
    done = _run_probe(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout and "missing tool: no-such-tool-gcl" in done.stdout, done.stdout
