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

