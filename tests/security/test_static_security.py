"""Static security checks: bandit finds nothing in the project's Python, no IAM statement grants `Action: "*"`.

checkov over terraform/ runs in tests/terraform/test_terraform_static.py::test_checkov_finds_nothing (not duplicated).
"""

import re
import subprocess  # nosec B404 - runs bandit with a fixed argument list
from pathlib import Path

from required_tools import required_tool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON_SOURCES = ["configuration", "workflows", "activities", "localaws", "inference", "local_stack", "cli_commands",
                  "cli.py", "worker.py"]
ACTION_KEYS = {"Action", "NotAction", "actions", "not_actions"}


def test_bandit_reports_no_issue():
    bandit = required_tool("bandit")
    sources = [name for name in PYTHON_SOURCES if (PROJECT_ROOT / name).exists()]
    done = subprocess.run([bandit, "-q", "-c", "pyproject.toml", "-f", "custom", "--msg-template",  # nosec B603
                           "{relpath}:{line}: {test_id} {msg}", "-r", *sources],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, timeout=300)
    findings = [line for line in done.stdout.splitlines() if re.match(r"^\S+:\d+: B\d+", line)]
    assert done.returncode == 0 and not findings, "bandit findings:\n" + "\n".join(findings or [done.stdout + done.stderr])


def _terraform_files() -> list[Path]:
    return [path for path in sorted((PROJECT_ROOT / "terraform").rglob("*.tf"))
            if ".terraform" not in path.parts and "tests" not in path.relative_to(PROJECT_ROOT / "terraform").parts]


def _unquote(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).strip().strip('"') for v in values]


def _statements(node, where: str, found: list) -> None:
    """Every object that carries an Action-like key, with its Effect (python-hcl2 keeps string quotes)."""
    if isinstance(node, dict):
        keys = ACTION_KEYS & set(node)
        if keys:
            effect = _unquote(node.get("Effect", node.get("effect", "Allow")))[0] or "Allow"
            for key in keys:
                found.append((where, effect, key, _unquote(node[key])))
        for value in node.values():
            _statements(value, where, found)
    elif isinstance(node, list):
        for value in node:
            _statements(value, where, found)
    elif isinstance(node, str) and "Action" in node:
        _expression_statements(node, where, found)


EXPRESSION_ACTION = re.compile(r'\b(Action|NotAction)\s*=\s*(\[[^\]]*\]|"[^"]*")')
EXPRESSION_EFFECT = re.compile(r'\bEffect\s*=\s*"(\w+)"')


def _expression_statements(text: str, where: str, found: list) -> None:
    """Statements written inside an HCL expression (e.g. `concat([{...}], ...)`), which python-hcl2 leaves as one
    string: each `{ ... }` object with an Action is read by pattern."""
    for chunk in re.split(r"[{}]", text):
        for key, value in EXPRESSION_ACTION.findall(chunk):
            effect = EXPRESSION_EFFECT.search(chunk)
            actions = re.findall(r'"([^"]*)"', value)
            found.append((where, effect.group(1) if effect else "Allow", key, actions))


def iam_statements() -> list[tuple[str, str, str, list[str]]]:
    import hcl2

    found: list = []
    for path in _terraform_files():
        with path.open() as handle:
            _statements(hcl2.load(handle), str(path.relative_to(PROJECT_ROOT)), found)
    return found


def test_no_iam_statement_allows_every_action():
    statements = iam_statements()
    assert len(statements) >= 10, f"expected the worker, replication, inference and bucket policies, found {statements}"
    star = [s for s in statements if "*" in s[3]]
    assert not star, f'IAM statements with Action "*": {star}'
    service_wide = [s for s in statements if s[1] != "Deny" and any(a.endswith(":*") for a in s[3])]
    assert not service_wide, f"Allow statements granting a whole service: {service_wide}"


def test_no_star_action_hidden_in_policy_text():
    """Belt and braces for policies written as JSON or heredoc strings, which the HCL walk cannot see into."""
    pattern = re.compile(r'(?i)"?(not_?)?actions?"?\s*[=:]\s*(\[[^\]]*"\*"[^\]]*\]|"\*")')
    hits = [f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)}"
            for path in _terraform_files() for match in pattern.finditer(path.read_text())]
    assert not hits, hits
