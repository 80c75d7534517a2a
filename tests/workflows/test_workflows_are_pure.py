"""Workflows never import boto3 (they run in the sandbox and replay; AWS calls belong in activities)."""

import ast
import subprocess
import sys
from pathlib import Path

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / "workflows"


def test_importing_every_workflow_loads_neither_boto3_nor_botocore():
    probe = "import sys, workflows.registry; print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=WORKFLOWS_DIR.parent, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_no_workflow_module_names_boto3_or_activities():
    offenders = []
    for path in WORKFLOWS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("boto3", "botocore", "activities")]
    assert offenders == []



def imported_project_modules(path: Path) -> set[str]:
    """`workflows.x` / `configuration.x` modules a file imports, `from workflows import x` included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module in ("workflows", "configuration"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("workflows", "configuration"):
            found.add(node.module)
    return found


def test_every_helper_module_the_workflows_import_is_passed_through_the_sandbox():
    """A helper not passed through is imported again for every workflow run the worker keeps (issue 16.2)."""
    from worker import PASSTHROUGH_MODULES

    defines_workflows = {f"workflows.{p.stem}" for p in WORKFLOWS_DIR.glob("*.py") if "@workflow.defn" in p.read_text()}
    imported = set().union(*(imported_project_modules(p) for p in WORKFLOWS_DIR.glob("*.py") if p.stem != "registry"))
    helpers = {m for m in imported if m not in defines_workflows}
    assert sorted(helpers - set(PASSTHROUGH_MODULES)) == []
