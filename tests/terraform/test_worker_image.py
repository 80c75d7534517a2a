"""The worker image's Dockerfile and build context, read as Docker reads them (no Docker engine here to build).

The image must start from a pinned slim Python 3.11, install the package from the repository without the dev
extra, run `python worker.py` as a non-root user, fetch nothing by URL, and have a HEALTHCHECK or say why not;
.dockerignore must keep what the worker needs and drop tests, virtualenvs, Terraform state and tfvars.
"""

import json
import re
import shlex
from pathlib import Path

from terraform_support import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped, as the Dockerfile parser does."""
    result, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, arguments = line.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def _all(kind: str) -> list[str]:
    return [arguments for keyword, arguments in instructions(DOCKERFILE.read_text()) if keyword == kind]


def test_the_base_is_slim_python_311_pinned_by_digest_or_exact_tag():
    bases = _all("FROM")
    assert len(bases) == 1, bases
    image = bases[0].split()[0]
    name, _, digest = image.partition("@")
    repository, _, tag = name.partition(":")
    assert repository in ("python", "docker.io/library/python"), image
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest) or re.fullmatch(r"3\.11\.\d+-slim(-[a-z]+)?", tag), (
        f"{image}: pin an exact 3.11.x slim tag or a digest, never a moving tag")


def test_the_worker_runs_as_a_fixed_non_root_user_after_the_install():
    steps = instructions(DOCKERFILE.read_text())
    users = [(index, arguments) for index, (keyword, arguments) in enumerate(steps) if keyword == "USER"]
    assert users, "no USER: the container would run as root"
    last_index, last_user = users[-1]
    assert last_user.split(":")[0] not in ("root", "0"), last_user
    assert last_user == "10001:10001", "the ECS task definition names the same uid:gid"
    installs = [index for index, (keyword, arguments) in enumerate(steps) if keyword == "RUN" and "pip install" in arguments]
    assert installs and max(installs) < last_index, "install as root, then drop privileges"


def test_nothing_is_fetched_by_url_and_everything_comes_from_the_context():
    for keyword, arguments in instructions(DOCKERFILE.read_text()):
        if keyword == "ADD":
            assert not re.search(r"(?i)\b(https?|ftp|git)://", arguments), f"ADD of a URL: {arguments}"
        if keyword == "RUN":
            assert not re.search(r"\b(curl|wget)\b", arguments), f"download at build time: {arguments}"


def test_the_package_is_installed_from_the_repository_without_dev_dependencies():
    installs = [arguments for arguments in _all("RUN") if "pip install" in arguments]
    assert len(installs) == 1
    command = installs[0].split("&&")[0]
    assert shlex.split(command)[-1] == "/app", command
    assert "[dev]" not in command and "--no-cache-dir" in command
    assert "COPY . /app" in [f"COPY {arguments}" for arguments in _all("COPY")]


def test_the_entrypoint_is_python_worker_py():
    entrypoints = _all("ENTRYPOINT")
    assert len(entrypoints) == 1 and json.loads(entrypoints[0]) == ["python", "worker.py"]
    assert "WORKDIR /app" in [f"WORKDIR {arguments}" for arguments in _all("WORKDIR")]


def test_a_healthcheck_or_the_reason_there_is_none():
    if _all("HEALTHCHECK"):
        return
    reason = re.search(r"#\s*checkov:skip=CKV_DOCKER_2:(.+)", DOCKERFILE.read_text())
    assert reason and len(reason.group(1).strip()) >= 30, "no HEALTHCHECK and no reason given"


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context drops `path` (Docker's rules: Go filepath.Match per path, `**` spans folders,
    a matched folder takes its contents)."""
    parts = path.split("/")
    for pattern in patterns:
        regex = "".join(
            "(?:.*/)?" if token == "**/" else ".*" if token == "**" else "[^/]*" if token == "*"
            else "[^/]" if token == "?" else re.escape(token)
            for token in re.findall(r"\*\*/|\*\*|\*|\?|[^*?]+", pattern.strip("/"))
        )
        if any(re.fullmatch(regex, "/".join(parts[:end])) for end in range(1, len(parts) + 1)):
            return True
    return False


def _patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "no exceptions: the rules above must stay simple"
    return patterns


def test_the_context_keeps_what_the_worker_needs():
    patterns = _patterns()
    needed = ["worker.py", "pyproject.toml", "README.md", "terraform/variables.tf", "configuration/settings.py",
              "activities/rekognition.py", "workflows/registry.py", "inference/handler.py", "cli.py"]
    assert [path for path in needed if ignored(path, patterns)] == []
    packages = re.findall(r'"([a-z_]+)\*"', (REPO_ROOT / "pyproject.toml").read_text())
    assert packages and all(not ignored(f"{package}/__init__.py", patterns) for package in packages)


def test_the_context_drops_tests_virtualenvs_state_and_secrets():
    patterns = _patterns()
    dropped = ["tests/conftest.py", ".venv/bin/python", ".venv-checkov/bin/checkov", ".git/HEAD", "bench/cli.py",
               "terraform/terraform.tfvars", "terraform/prod.auto.tfvars", "terraform/terraform.tfstate",
               "terraform/terraform.tfstate.backup", "terraform/.terraform/providers/x",
               ".local-stack/env", "build/inference-lambda.zip", "activities/__pycache__/x.cpython-311.pyc"]
    assert [path for path in dropped if not ignored(path, patterns)] == []


def test_the_ignore_rules_are_read_as_docker_reads_them():
    assert ignored("a/b/__pycache__/c.pyc", ["**/__pycache__"])
    assert ignored("terraform/x/y.tfstate", ["terraform/**/*.tfstate"])
    assert ignored("terraform/y.tfstate", ["terraform/**/*.tfstate"])
    assert not ignored("terraformx/y.tfstate", ["terraform/**/*.tfstate"])
    assert not ignored("worker.py", ["*.pyc", "tests"])
    assert ignored("tests/x.py", ["tests"])
    assert not ignored("src/tests.py", ["tests"])


def test_the_build_context_stays_small():
    """The kept context is small: no stray large artefact goes to the builder."""
    patterns = _patterns()
    kept = [p for p in REPO_ROOT.rglob("*") if p.is_file() and not ignored(p.relative_to(REPO_ROOT).as_posix(), patterns)]
    assert sum(p.stat().st_size for p in kept) < 8 * 1024 * 1024, "the build context grew past 8 MiB"
    assert Path(REPO_ROOT / "worker.py") in kept
