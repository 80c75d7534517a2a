"""Small helpers shared by the CLI tests."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_tfvars(path: Path, regions: list[str], **extra) -> Path:
    lines = [f"regions = [{', '.join(repr(r).replace(chr(39), chr(34)) for r in regions)}]",
             f'management_region = "{regions[0]}"', "poll_interval_seconds = 1"]
    for key, value in extra.items():
        lines.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python cli.py ARGS` in a subprocess (a real process: exit code, stderr, no shared state)."""
    full_env = {**os.environ, "GCL_USE_LOCAL_STACK": "0", "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "cli.py"), *args], cwd=PROJECT_ROOT, env=full_env,
                          capture_output=True, text=True, check=False, timeout=timeout)


def assert_runs_from_a_fresh_shell(cli: str) -> None:
    """The CLI words we printed (e.g. `.venv/bin/python cli.py`) work in a new shell with the system's PATH only:
    no activated venv, no `python` that lacks typer."""
    clean_env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "GCL_USE_LOCAL_STACK": "0"}
    done = subprocess.run(["bash", "-c", f"{cli} --help"], cwd=PROJECT_ROOT, env=clean_env,  # nosec B603 B607
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, f"`{cli} --help` failed from a fresh shell:\n{done.stdout}{done.stderr}"
    assert "Usage" in done.stdout, done.stdout


def printed_cli() -> str:
    """What `run_cli`'s process prints as the way to run the CLI again (cli_commands/invocation.py, cwd PROJECT_ROOT)."""
    executable = Path(os.path.abspath(sys.executable))
    try:
        shown = str(executable.relative_to(PROJECT_ROOT))
    except ValueError:
        shown = str(executable)
    return f"{shown} cli.py"


def objects_in(bucket: str, region: str = "us-east-1") -> list[str]:
    """Keys in a bucket of the local endpoint."""
    import boto3

    found = boto3.client("s3", region_name=region).list_objects_v2(Bucket=bucket).get("Contents", [])
    return [item["Key"] for item in found]


def bootstrapped(tfvars: Path):
    """(settings, resources) of `tfvars`, the account made as `terraform apply` makes it (local_stack.bootstrap)."""
    from configuration.resources import derive_resources
    from configuration.settings import load_settings
    from local_stack.bootstrap import bootstrap

    os.environ["GCL_TFVARS"] = str(tfvars)
    try:
        settings = load_settings()
    finally:
        os.environ.pop("GCL_TFVARS")
    resources = derive_resources(settings, "123456789012")
    bootstrap(settings, resources)
    return settings, resources


@contextmanager
def worker_process(env: dict[str, str]):
    """The real worker (`python worker.py`) with `env` on top of ours; SIGTERM (then SIGKILL) when done."""
    worker = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "worker.py")], cwd=PROJECT_ROOT,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


async def _pollers(address: str, queue: str) -> int:
    from temporalio.client import Client

    from cli_commands.temporal_client import workflow_pollers

    return await workflow_pollers(await Client.connect(address), queue)


def wait_for_pollers(worker: subprocess.Popen, temporal_address: str, queue: str) -> None:
    """Until a worker process polls `queue` (its signal handlers are installed by then), or fail with its stderr."""
    deadline = time.monotonic() + 60
    while asyncio.run(_pollers(temporal_address, queue)) == 0:
        assert worker.poll() is None, worker.communicate()[1]
        assert time.monotonic() < deadline, "the worker never polled"
        time.sleep(0.5)


def stop_with_sigterm(worker: subprocess.Popen) -> str:
    """SIGTERM a worker process and return its stderr; killed (and the timeout raised) if it does not stop."""
    worker.send_signal(signal.SIGTERM)
    try:
        _, stderr = worker.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise
    return stderr
