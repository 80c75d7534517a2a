"""`local up / down / status`: the four processes of the embedded stack, started in dependency order.

localaws (moto + Custom Labels emulator) -> bootstrap of buckets/replication/topic -> Temporal dev server
-> worker -> inference adapters. Every process is detached with a pid file and a log under the state folder.
"""

import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from configuration.settings import PROJECT_ROOT, Settings
from configuration.tools import ToolNotFoundError, require_tool
from local_stack import health, processes
from local_stack.config import EMULATOR_TIMING, HOST, NAMESPACE, StackConfig
from workflows import search_attributes

COMPONENTS = ("localaws", "temporal", "worker", "inference")
SEARCH_ATTRIBUTES = search_attributes.DEFINITIONS  # registered when the dev server starts
STOP_GRACE_SECONDS = 10.0


class StackError(Exception):
    """The local stack cannot start (port taken, a process died); one line plus where to look."""


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    state: str  # running | stopped | unhealthy
    pid: int | None
    endpoint: str
    log: str


def temporal_binary() -> str:
    try:
        return require_tool("temporal")
    except ToolNotFoundError as missing:
        raise StackError(str(missing)) from None


def _ports(config: StackConfig, settings: Settings) -> dict[str, list[tuple[int, str]]]:
    """Ports each component listens on, with the env var that moves it."""
    inference = [(config.inference_port + i, "GCL_INFERENCE_PORT") for i in range(len(settings.regions) + 1)]
    return {
        "localaws": [(config.aws_port, "GCL_AWS_PORT")],
        "temporal": [(config.temporal_port, "GCL_TEMPORAL_PORT"), (config.temporal_ui_port, "GCL_TEMPORAL_UI_PORT")],
        "worker": [],
        "inference": inference,
    }


def _command(name: str, config: StackConfig, settings: Settings) -> list[str]:
    python = sys.executable
    if name == "localaws":
        return [python, "-m", "localaws", "--host", HOST, "--port", str(config.aws_port)]
    if name == "temporal":
        command = [temporal_binary(), "server", "start-dev", "--ip", HOST, "--port", str(config.temporal_port),
                   "--ui-port", str(config.temporal_ui_port), "--db-filename", str(config.temporal_db),
                   "--namespace", NAMESPACE, "--log-level", "warn", "--ui-disable-news-fetch"]
        for key, kind in SEARCH_ATTRIBUTES.items():
            command += ["--search-attribute", f"{key}={kind}"]
        return command
    if name == "worker":
        return [python, str(PROJECT_ROOT / "worker.py")]
    if name == "inference":
        return [python, "-m", "inference.local_server", "--host", HOST, "--base-port", str(config.inference_port),
                "--regions", *settings.regions]
    raise ValueError(name)


def _endpoint(name: str, config: StackConfig, settings: Settings) -> str:
    return {
        "localaws": config.aws_url,
        "temporal": f"{config.temporal_address}, UI :{config.temporal_ui_port}",
        "worker": f"queue {settings.task_queue}",
        "inference": f"{config.inference_url} (+{len(settings.regions)} regional)",
    }[name]


def child_environment(config: StackConfig, settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TEMPORAL_"))}
    env.update(config.environment(settings.management_region))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def write_env_file(config: StackConfig, settings: Settings) -> Path:
    """`.local-stack/env`: `source` it to point boto3, Temporal and the CLI at this stack from any shell."""
    import shlex

    config.state_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# written by `python cli.py local up`; source it: . .local-stack/env"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in config.environment(settings.management_region).items()]
    config.env_file.write_text("\n".join(lines) + "\n")
    (config.state_dir / "stack.json").write_text(json.dumps(
        {"aws_port": config.aws_port, "temporal_port": config.temporal_port,
         "temporal_ui_port": config.temporal_ui_port, "inference_port": config.inference_port,
         "tfvars": str(config.tfvars)}))
    return config.env_file


def read_env_file(path: Path) -> dict[str, str]:
    import shlex

    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, raw = line[len("export "):].partition("=")
            parsed = shlex.split(raw)
            values[key] = parsed[0] if parsed else ""
    return values


def running_config(state_dir: Path) -> StackConfig | None:
    """The ports of a stack already started from this state folder, whatever the current env says."""
    try:
        data = json.loads((state_dir / "stack.json").read_text())
        return StackConfig(state_dir=state_dir, aws_port=data["aws_port"], temporal_port=data["temporal_port"],
                           temporal_ui_port=data["temporal_ui_port"], inference_port=data["inference_port"],
                           tfvars=Path(data["tfvars"]))
    except (OSError, ValueError, KeyError):
        return None


def is_running(config: StackConfig, name: str) -> bool:
    return processes.is_alive(processes.read_record(config.pids_dir, name))


# ---- readiness ----------------------------------------------------------------------------------------

async def _temporal_ready(address: str) -> bool:
    from temporalio.client import Client

    try:
        await asyncio.wait_for(Client.connect(address, namespace=NAMESPACE), timeout=3)
        return True
    except (RuntimeError, TimeoutError, OSError):  # not up yet: try again
        return False


async def _worker_polling(address: str, task_queue: str) -> bool:
    from temporalio.client import Client
    from temporalio.service import RPCError

    from cli_commands.temporal_client import workflow_pollers

    try:
        client = await asyncio.wait_for(Client.connect(address, namespace=NAMESPACE), timeout=3)
        return await workflow_pollers(client, task_queue) > 0
    except (RuntimeError, TimeoutError, OSError, RPCError):  # server busy or worker not registered yet: try again
        return False


async def _running_workflows(address: str, limit: int) -> list[str]:
    from temporalio.client import Client

    client = await asyncio.wait_for(Client.connect(address, namespace=NAMESPACE), timeout=5)
    found = [execution async for execution in client.list_workflows("ExecutionStatus = 'Running'", limit=limit)]
    top = [execution.id for execution in found if not execution.parent_id]  # what the user started
    return top or [execution.id for execution in found]


def workflows_in_flight(config: StackConfig, limit: int = 100) -> list[str] | None:
    """Ids of the workflows running on the stack's Temporal server; None when it cannot be asked (not running)."""
    from temporalio.service import RPCError

    if not is_running(config, "temporal"):
        return None
    try:
        return asyncio.run(_running_workflows(config.temporal_address, limit))
    except (RuntimeError, TimeoutError, OSError, RPCError):
        return None


def aws_state_lost(config: StackConfig) -> bool:
    """True when the local AWS endpoint ran from this folder before and is not running now: its state (kept in
    memory, like moto's) is gone, so whatever the Temporal database still runs refers to resources that are not
    there any more."""
    return (config.logs_dir / "localaws.log").is_file() and not is_running(config, "localaws")


def _check(name: str, config: StackConfig, settings: Settings) -> Callable[[], bool]:
    if name == "localaws":
        return lambda: health.http_ok(f"{config.aws_url}/_emulator/health")
    if name == "temporal":
        return lambda: (health.tcp_open(HOST, config.temporal_port)
                        and asyncio.run(_temporal_ready(config.temporal_address)))
    if name == "worker":
        return lambda: asyncio.run(_worker_polling(config.temporal_address, settings.task_queue))
    if name == "inference":
        return lambda: all(health.tcp_open(HOST, port) for port, _ in _ports(config, settings)["inference"])
    raise ValueError(name)


_TIMEOUTS = {"localaws": 90.0, "temporal": 120.0, "worker": 120.0, "inference": 90.0}  # generous: 2 busy cores


# ---- up / down / status -------------------------------------------------------------------------------

def _refuse_taken_ports(config: StackConfig, settings: Settings, to_start: list[str]) -> None:
    for name in to_start:
        for port, variable in _ports(config, settings)[name]:
            if processes.port_in_use(HOST, port):
                raise StackError(
                    f"port {port} on {HOST} is already in use ({name}): stop what uses it or set {variable} to a free port"
                )


def _configure_local_aws(config: StackConfig, settings: Settings) -> None:
    """Seconds-long emulated trainings, then the buckets/replication/topic Terraform would create."""
    import urllib.request

    from configuration.resources import derive_resources
    from local_stack.bootstrap import bootstrap
    from local_stack.config import ACCOUNT_ID

    request = urllib.request.Request(  # nosec B310 - loopback URL built by us
        f"{config.aws_url}/_emulator/config", data=json.dumps({"timing": EMULATOR_TIMING}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10):  # nosec B310
        pass
    saved = {k: os.environ.get(k) for k in config.environment(settings.management_region)}
    os.environ.update(config.environment(settings.management_region))
    try:
        bootstrap(settings, derive_resources(settings, ACCOUNT_ID))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def up(config: StackConfig, settings: Settings, report: Callable[[str], None] = lambda _msg: None) -> list[str]:
    """Start whatever is not running yet; return the names started (empty = it was already up)."""
    previous = running_config(config.state_dir)
    if previous is not None and any(is_running(previous, name) for name in COMPONENTS):
        config = previous  # a stack is already (partly) up from this folder: keep its ports
    to_start = [name for name in COMPONENTS if not is_running(config, name)]
    if not to_start:
        return []
    _refuse_taken_ports(config, settings, to_start)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    write_env_file(config, settings)
    env = child_environment(config, settings)
    started: list[str] = []
    try:
        for name in COMPONENTS:
            if name in to_start:
                record = processes.spawn(name, _command(name, config, settings), env=env, cwd=PROJECT_ROOT,
                                         pids_dir=config.pids_dir, logs_dir=config.logs_dir)
                started.append(name)
                report(f"started {name} (pid {record.pid}), waiting until it is ready")
                outcome = health.wait_until(_check(name, config, settings), timeout=_TIMEOUTS[name],
                                            still_running=lambda r=record: processes.is_alive(r))
                if outcome != "ok":
                    log = config.logs_dir / f"{name}.log"
                    last = processes.tail(log, 1).strip()
                    what = "exited during startup" if outcome == "exited" else "did not become ready in time"
                    raise StackError(f"{name} {what}; see {log}" + (f" (last line: {last})" if last else ""))
                if name == "localaws":  # a fresh emulator has an empty account; a running one keeps its settings
                    _configure_local_aws(config, settings)
                    report("bootstrapped buckets, replication and SNS topic")
    except BaseException:
        for name in reversed(started):
            processes.stop(config.pids_dir, name, grace_seconds=STOP_GRACE_SECONDS)
        raise
    return started


def down(config: StackConfig, grace_seconds: float = STOP_GRACE_SECONDS) -> dict[str, str]:
    """Stop every component, last started first."""
    return {name: processes.stop(config.pids_dir, name, grace_seconds) for name in reversed(COMPONENTS)}


def status(config: StackConfig, settings: Settings) -> list[ComponentStatus]:
    previous = running_config(config.state_dir)
    if previous is not None:
        config = previous
    rows = []
    for name in COMPONENTS:
        record = processes.read_record(config.pids_dir, name)
        alive = processes.is_alive(record)
        if not alive:
            state = "stopped"
        else:
            state = "running" if _check(name, config, settings)() else "unhealthy"
        rows.append(ComponentStatus(name=name, state=state, pid=record.pid if alive and record else None,
                                    endpoint=_endpoint(name, config, settings),
                                    log=str(config.logs_dir / f"{name}.log")))
    return rows
