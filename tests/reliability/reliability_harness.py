"""The real local stack for the reliability and security suites, shared by both folders, started once.

`python cli.py local up` on free loopback ports in a temporary GCL_STATE_DIR (localaws, Temporal dev server with
SQLite, worker, inference adapters), the sample dataset synced with `python cli.py sync`, and helpers to run
the CLI, kill or replace processes, inject faults through the emulator's control API and count what exists.

Every CLI run gets recognizable fake secrets in its environment and its output is kept, so the security
suite can grep all of it (and every file of the state folder) at the end. The figures of the run (faults
injected, workflow runs, resources left over) are collected in FIGURES and printed / written at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess  # nosec B404 - runs the project's own CLI with fixed argument lists
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# Recognizable fake secrets: present in the environment of every CLI run, never allowed in any output.
FAKE_SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "gclFAKEsecretKEY0reliability0DO0NOT0PRINT0aaaa",
    "AWS_SESSION_TOKEN": "gclFAKEsessionTOKEN0reliability0DO0NOT0PRINT0bbbb",
    "TEMPORAL_API_KEY": "gclFAKEtemporalAPIKEY0reliability0DO0NOT0PRINT0cccc",
}
# TEMPORAL_API_KEY turns TLS on in the SDK's envconfig, so it is only given to runs that expect that.
DEFAULT_SECRET_ENV = {k: v for k, v in FAKE_SECRETS.items() if k != "TEMPORAL_API_KEY"}
SECRET_RUNS: list[str] = []  # workflow ids run by a worker holding every fake secret (signing with them)


def explicit_secret_env(stack: Stack) -> dict[str, str]:
    """Env that makes a process use the fake secrets for real: boto3 signs with them (session token sent),
    Temporal gets the API key as a header (TLS off, the dev server is plaintext)."""
    return {**FAKE_SECRETS, "AWS_ACCESS_KEY_ID": "AKIAFAKERELIABILITY0", "AWS_ENDPOINT_URL": stack.aws_url,
            "TEMPORAL_ADDRESS": stack.temporal_address, "TEMPORAL_TLS": "false"}

MANIFEST_KEY = "datasets/reliability/output.manifest"
DATASET_PREFIX = "datasets/reliability/"
WAIT_SECONDS = 240.0  # generous bound for anything that should take seconds; never a timing assertion


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_port_block(size: int) -> int:
    """A base port followed by `size - 1` free ports (inference: global + one per region)."""
    from local_stack import processes

    for _ in range(200):
        base = free_port()
        if base + size < 65535 and not any(processes.port_in_use("127.0.0.1", base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports")


def wait_for(check: Callable[[], Any], *, what: str, timeout: float = WAIT_SECONDS, interval: float = 0.5) -> Any:
    """Poll until `check()` is truthy; fail with `what` when the generous bound runs out."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last seen: {last!r})")


# ---------------------------------------------------------------------------------------------- figures


@dataclass
class Figures:
    """What the suite did, reported at the end (docs/reliability.md is written from these)."""

    faults: Counter = field(default_factory=Counter)  # kind -> times injected
    workflow_runs: Counter = field(default_factory=Counter)  # operation -> parent workflows run
    cli_runs: int = 0
    bad_inputs: Counter = field(default_factory=Counter)  # channel -> rejected inputs checked
    duplicate_versions: int = 0
    leaked: dict[str, list[str]] = field(default_factory=dict)  # test -> leftovers found
    notes: list[str] = field(default_factory=list)
    rekognition_attempts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "faults_injected": dict(self.faults),
            "faults_injected_total": sum(self.faults.values()),
            "workflow_runs": dict(self.workflow_runs),
            "workflow_runs_total": sum(self.workflow_runs.values()),
            "cli_runs": self.cli_runs,
            "bad_inputs_rejected": dict(self.bad_inputs),
            "bad_inputs_rejected_total": sum(self.bad_inputs.values()),
            "duplicate_versions": self.duplicate_versions,
            "resources_leaked": sum(len(v) for v in self.leaked.values()),
            "leaks": {k: v for k, v in self.leaked.items() if v},
            "rekognition_attempts": dict(self.rekognition_attempts),
            "notes": self.notes,
        }


FIGURES = Figures()


# ---------------------------------------------------------------------------------------------- the stack


@dataclass
class CliResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"`cli.py {' '.join(self.args)}` did not print JSON:\n{self.output}") from None


class Stack:
    """One local stack on free ports; `env` is what a CLI subprocess needs (no AWS_/TEMPORAL_ pointers:
    the CLI must find the stack by itself through GCL_STATE_DIR)."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.state_dir = root / "state"
        self.work = root / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.outputs: list[str] = []  # every stdout/stderr of every process run by the suite
        from configuration.settings import load_settings
        from local_stack.config import LOCAL_TFVARS

        self.settings = load_settings(tfvars=LOCAL_TFVARS)
        self.regions = list(self.settings.regions)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TEMPORAL_", "GCL_"))}
        base.update(DEFAULT_SECRET_ENV)
        block = free_port_block(len(self.regions) + 1)
        singles: list[int] = []
        while len(singles) < 3:  # never inside the inference block, never twice
            port = free_port()
            if not block <= port <= block + len(self.regions) and port not in singles:
                singles.append(port)
        base.update({
            "AWS_ACCESS_KEY_ID": "AKIAFAKERELIABILITY0",
            "AWS_EC2_METADATA_DISABLED": "true",
            "GCL_STATE_DIR": str(self.state_dir),
            "GCL_TFVARS": str(LOCAL_TFVARS),
            "GCL_AWS_PORT": str(singles[0]),
            "GCL_TEMPORAL_PORT": str(singles[1]),
            "GCL_TEMPORAL_UI_PORT": str(singles[2]),
            "GCL_INFERENCE_PORT": str(block),
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
        })
        self.env = base
        self.aws_url = f"http://127.0.0.1:{base['GCL_AWS_PORT']}"
        self.temporal_address = f"127.0.0.1:{base['GCL_TEMPORAL_PORT']}"
        self.inference_url = f"http://127.0.0.1:{base['GCL_INFERENCE_PORT']}"
        self.swapped_worker = False

    # ---- processes

    def cli(self, *args: str, timeout: float = WAIT_SECONDS, extra_env: dict[str, str] | None = None,
            drop_env: tuple[str, ...] = ()) -> CliResult:
        env = {**self.env, **(extra_env or {})}
        for key in drop_env:
            env.pop(key, None)
        try:
            done = subprocess.run([PYTHON, str(PROJECT_ROOT / "cli.py"), *args], cwd=PROJECT_ROOT, env=env,  # nosec B603
                                  capture_output=True, text=True, check=False, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"`cli.py {' '.join(args)}` did not finish within {timeout:.0f} s: "
                                 f"{(exc.stdout or b'')[-2000:]!r} {(exc.stderr or b'')[-2000:]!r}") from None
        FIGURES.cli_runs += 1
        self.outputs += [done.stdout, done.stderr]
        return CliResult(list(args), done.returncode, done.stdout, done.stderr)

    def up(self) -> dict:
        result = self.cli("local", "up", "--json", timeout=300)
        assert result.returncode == 0, f"local up failed:\n{result.output}\n{self.logs_tail()}"
        return result.json()

    def down(self) -> None:
        self.cli("local", "down", "--grace", "5", "--force", timeout=120)

    def pid(self, name: str) -> int | None:
        from local_stack import processes

        record = processes.read_record(self.state_dir / "pids", name)
        return record.pid if processes.is_alive(record) else None

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Signal a component's whole process group (it leads its own session) and wait until it is gone."""
        from local_stack import processes

        pid = self.pid(name)
        assert pid, f"{name} is not running"
        os.killpg(pid, sig)
        record = processes.read_record(self.state_dir / "pids", name)
        wait_for(lambda: not processes.is_alive(record), what=f"{name} (pid {pid}) to die", timeout=30, interval=0.1)
        return pid

    def spawn_worker(self, command: list[str], extra_env: dict[str, str] | None = None) -> int:
        """Replace the stack's worker by `command` (same env as `local up` gives it, plus extra_env)."""
        from local_stack import processes
        from local_stack.stack import child_environment, running_config

        processes.stop(self.state_dir / "pids", "worker", grace_seconds=10)
        config = running_config(self.state_dir)
        env = child_environment(config, self.settings)
        env.update(extra_env or {})
        record = processes.spawn("worker", command, env=env, cwd=PROJECT_ROOT, pids_dir=self.state_dir / "pids",
                                 logs_dir=self.state_dir / "logs")
        self.swapped_worker = True
        self.wait_for_worker(record.pid)
        return record.pid

    def restore_worker(self) -> None:
        """Back to the plain `python worker.py` that `local up` starts."""
        from local_stack import processes

        if self.swapped_worker:
            processes.stop(self.state_dir / "pids", "worker", grace_seconds=10)
            self.swapped_worker = False
        self.up()

    def wait_for_worker(self, pid: int | None = None) -> None:
        from local_stack import processes

        def polling() -> bool:
            if pid is not None:
                record = processes.read_record(self.state_dir / "pids", "worker")
                assert processes.is_alive(record), f"worker died:\n{self.logs_tail('worker')}"
            return self.run(self._pollers()) > 0

        wait_for(polling, what="a worker polling the task queue", timeout=120)

    async def _pollers(self) -> int:
        from cli_commands.temporal_client import workflow_pollers

        client = await self.client()
        return await workflow_pollers(client, self.settings.task_queue)

    def logs_tail(self, name: str | None = None, lines: int = 30) -> str:
        from local_stack import processes

        names = [name] if name else ["localaws", "temporal", "worker", "inference"]
        return "\n".join(f"--- {n}.log\n" + processes.tail(self.state_dir / "logs" / f"{n}.log", lines) for n in names)

    # ---- Temporal

    @staticmethod
    def run(coro):
        return asyncio.run(coro)

    async def client(self):
        from temporalio.client import Client

        return await asyncio.wait_for(Client.connect(self.temporal_address, namespace="default"), timeout=30)

    def start_workflow(self, workflow_type: str, payload: Any, workflow_id: str) -> None:
        async def go():
            client = await self.client()
            await client.start_workflow(workflow_type, payload, id=workflow_id, task_queue=self.settings.task_queue)

        self.run(go())
        FIGURES.workflow_runs[workflow_type] += 1

    def workflow_outcome(self, workflow_id: str, timeout: float = WAIT_SECONDS) -> tuple[str, Any]:
        """("completed", result) or ("failed", (error type, message, details)); reconnects if the server restarts."""
        from temporalio.client import WorkflowFailureError
        from temporalio.exceptions import ApplicationError

        async def go():
            deadline = time.monotonic() + timeout
            while True:
                try:
                    client = await self.client()
                    handle = client.get_workflow_handle(workflow_id)
                    remaining = max(1.0, deadline - time.monotonic())
                    return "completed", await asyncio.wait_for(handle.result(), timeout=remaining)
                except WorkflowFailureError as exc:
                    cause = exc.cause
                    while getattr(cause, "cause", None) is not None and not isinstance(cause, ApplicationError):
                        cause = cause.cause
                    if isinstance(cause, ApplicationError):
                        return "failed", (cause.type, cause.message, list(cause.details))
                    return "failed", (type(cause).__name__, str(cause), [])
                except TimeoutError:
                    raise AssertionError(f"workflow {workflow_id} did not end within {timeout:.0f} s") from None
                except RuntimeError:  # server restarting: try again until the deadline
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(1)

        return self.run(go())

    def workflow_status(self, workflow_id: str) -> str:
        async def go():
            client = await self.client()
            return (await client.get_workflow_handle(workflow_id).describe()).status.name

        return self.run(go())

    def terminate(self, workflow_id: str) -> None:
        async def go():
            client = await self.client()
            with contextlib.suppress(Exception):  # already closed
                await client.get_workflow_handle(workflow_id).terminate(reason="reliability test cleanup")

        self.run(go())

    def progress(self, workflow_id: str) -> dict | None:
        async def go():
            from datetime import timedelta

            client = await self.client()
            try:
                return await client.get_workflow_handle(workflow_id).query("progress",
                                                                            rpc_timeout=timedelta(seconds=5))
            except Exception:  # noqa: BLE001 - not answerable yet
                return None

        return self.run(go())

    # ---- emulator and AWS state

    @property
    def control(self):
        from localaws.control import EmulatorControl

        return EmulatorControl(self.aws_url)

    def configure(self, settings: dict, *, fault: str | None = None) -> None:
        self.control.configure(settings)
        if fault:
            FIGURES.faults[fault] += 1

    def clear_faults(self) -> None:
        from local_stack.config import EMULATOR_TIMING

        # per_region blocks only merge, so each region is set back to the global timing explicitly
        self.control.configure({
            "timing": {**EMULATOR_TIMING, "per_region": {region: {"mode": "time"} for region in self.regions}},
            "faults": {"throttle_rate": 0.0, "throttle_operations": [], "down_regions": [], "fail_training": [],
                       "sns_down": False},
        })

    def manual(self, regions: list[str] | None = None) -> None:
        """Transitions in these regions wait for `control.advance` (per-region blocks survive `local up`,
        which re-posts the global timing whenever it starts a component)."""
        self.control.configure({"timing": {"per_region": {r: {"mode": "manual"} for r in regions or self.regions}}})

    def versions(self, project: str) -> dict[str, list[dict]]:
        """Every version of `project` the emulator holds, per region (deleted ones are gone)."""
        found: dict[str, list[dict]] = {}
        for version in self.control.versions():
            if version["project"] == project:
                found.setdefault(version["region"], []).append(version)
        return found

    def boto3(self, service: str, region: str):
        import boto3
        from botocore.config import Config

        return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",  # nosec B106
                                     region_name=region).client(
            service, endpoint_url=self.aws_url, config=Config(retries={"total_max_attempts": 1}))

    def projects(self, region: str) -> list[str]:
        client = self.boto3("rekognition", region)
        names = []
        for page in client.get_paginator("describe_projects").paginate():
            names += [p["ProjectArn"].split("/")[1] for p in page.get("ProjectDescriptions", [])]
        return names

    def status(self, project: str, regions: list[str] | None = None) -> dict:
        args = ["status", "--project", project, "--json"]
        for region in regions or []:
            args += ["--region", region]
        result = self.cli(*args)
        assert result.returncode == 0, result.output
        return result.json()

    def leftovers(self, project: str, regions: list[str] | None = None) -> list[str]:
        """What `status` still shows of a project that should not exist: `region/version` or `region/(project)`."""
        found = []
        for row in self.status(project, regions)["regions"]:
            assert not row.get("error"), f"status could not read {row['region']}: {row['error']}"
            if row["project_exists"]:
                found.append(f"{row['region']}/(project {project})")
            found += [f"{row['region']}/{v['version']} {v['status']}" for v in row["versions"]]
        return found

    @property
    def management_bucket(self) -> str:
        from configuration.names import management_bucket_name

        return management_bucket_name(self.settings.name_prefix, "123456789012", self.settings.management_region)

    def put_object(self, key: str, body: bytes) -> None:
        self.boto3("s3", self.settings.management_region).put_object(Bucket=self.management_bucket, Key=key, Body=body)
        assert self.control.flush_replication(timeout=60), "replication did not drain"


def count_duplicates(versions: dict[str, list[dict]]) -> int:
    """Versions beyond one per (region, project, version name)."""
    per_name = Counter((v["region"], v["project"], v["version"])
                       for region_versions in versions.values() for v in region_versions)
    return sum(n - 1 for n in per_name.values() if n > 1)


# ---------------------------------------------------------------------------------------------- session singleton

_STACK: Stack | None = None
_USERS = 0


def acquire(tmp_root: Path) -> Stack:
    """Start the shared stack on first use (sample dataset synced); later callers get the same one."""
    global _STACK, _USERS
    _USERS += 1
    if _STACK is not None:
        return _STACK
    from local_stack.sample_dataset import create_sample_dataset

    for attempt in range(3):  # a port picked free can be taken by another process before `local up` binds it
        stack = Stack(tmp_root / f"stack{attempt}")
        started = stack.cli("local", "up", "--json", timeout=300)
        if started.returncode == 0 or "already in use" not in started.stderr:
            break
    try:
        assert started.returncode == 0, f"local up failed:\n{started.output}\n{stack.logs_tail()}"
        dataset = stack.work / "dataset"
        create_sample_dataset(dataset)
        synced = stack.cli("sync", str(dataset), "--prefix", DATASET_PREFIX, "--json", timeout=180)
        assert synced.returncode == 0, synced.output
        assert MANIFEST_KEY in synced.json()["manifests"]
    except BaseException:
        stack.down()
        raise
    _STACK = stack
    return stack


def release() -> None:
    """Stop the stack when the last user is done; print and save the figures."""
    global _STACK, _USERS
    _USERS -= 1
    if _USERS > 0 or _STACK is None:
        return
    stack, _STACK = _STACK, None
    try:
        report = FIGURES.as_dict()
        text = json.dumps(report, indent=2, sort_keys=True)
        target = os.environ.get("GCL_RELIABILITY_FIGURES") or str(stack.root / "figures.json")
        Path(target).write_text(text + "\n")
        print(f"\nreliability figures ({target}):\n{text}", file=sys.__stdout__, flush=True)
    finally:
        stack.down()
