"""The Temporal worker: every workflow and activity of the project on the configured task queue.

`python worker.py` connects with temporalio.envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
profiles; localhost:7233 when nothing is set), loads the settings shared with Terraform and the resource
names, and runs until SIGINT/SIGTERM, letting running activities finish. The CLI and tests embed it with
`run_worker(...)` / `build_worker(...)`. With GCL_WORKER_METRICS_BIND=HOST:PORT (off by default) it serves the
Temporal SDK's metrics for Prometheus at http://HOST:PORT/metrics (task slots, poll and schedule-to-start
latencies, activity and workflow task failures), the container image's and ECS task's way to be observed.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities import all_activities
from activities.clients import ClientFactory
from workflows import search_attributes
from workflows.input_decoding import worker_data_converter
from workflows.registry import SERVED

DEFAULT_TARGET = "localhost:7233"
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
MALLOC_ARENAS = 2
METRICS_BIND_ENV = "GCL_WORKER_METRICS_BIND"
ACTIVITY_THREADS = 32  # regions x versions of blocking boto3 calls in flight
GRACEFUL_SHUTDOWN_SECONDS = 30

# Pure helper modules the workflows import: passed through by name (an import inside
# `imports_passed_through()` of a submodule, `from workflows import polling`, was re-imported on every run).
PASSTHROUGH_MODULES = (
    "configuration.names", "configuration.dataset_rules", "workflows.activity_api", "workflows.common", "workflows.ids",
    "workflows.inputs", "workflows.models", "workflows.owner_api", "workflows.polling", "workflows.preflight",
    "workflows.quality", "workflows.rollout", "workflows.search_attributes", "workflows.transitions", "pydantic",
    "pydantic_core",
)

log = logging.getLogger("worker")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (the same as MALLOC_ARENA_MAX, which must be set before start).

    glibc gives each thread that allocates concurrently an arena of its own, up to 8 per core; the activity threads'
    boto3 calls (response bodies, parsed XML/JSON) then keep memory in each of them. Measured with the bench's
    orchestration section: 6 MiB less peak RSS for our worker, none for the bare one. False where libc is not glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def build_worker(
    client: Client,
    settings,
    resources,
    executor: ThreadPoolExecutor,
    *,
    task_queue: str | None = None,
    clients: ClientFactory | None = None,
    search_attributes_enabled: bool = False,
    **worker_options,
) -> Worker:
    """A Worker serving every workflow and activity; sync boto3 activities run on `executor`.

    Its client decodes with workflows.input_decoding's converter: an unreadable input fails the run, not its task.
    """
    limit_malloc_arenas()  # before the executor's threads allocate
    config = client.config()
    config["data_converter"] = worker_data_converter(config["data_converter"])
    return Worker(
        Client(**config),
        task_queue=task_queue or settings.task_queue,
        workflows=SERVED,
        activities=all_activities(settings, resources, client, clients, search_attributes_enabled),
        activity_executor=executor,
        **{
            "max_concurrent_activities": getattr(executor, "_max_workers", ACTIVITY_THREADS),
            "graceful_shutdown_timeout": timedelta(seconds=GRACEFUL_SHUTDOWN_SECONDS),
            "workflow_runner": workflow_runner(),
            **worker_options,
        },
    )


async def run_worker(client: Client, settings, resources, stop_event: asyncio.Event | None = None, **options) -> None:
    """Serve until `stop_event` is set (forever when None), then shut down gracefully."""
    missing = await search_attributes.missing(client)
    if missing:
        log.warning(
            "search attributes %s are not registered on namespace %s: executions will not be searchable by them "
            "(register with: %s)", ", ".join(missing), client.namespace, "; ".join(search_attributes.cli_commands())
        )
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS, thread_name_prefix="activity") as executor:
        worker = build_worker(client, settings, resources, executor, search_attributes_enabled=not missing, **options)
        if stop_event is None:
            await worker.run()
            return
        async with worker:
            await stop_event.wait()


def metrics_bind_address(environ=os.environ) -> str | None:
    """GCL_WORKER_METRICS_BIND as HOST:PORT, None when unset; ValueError with one line when malformed."""
    bind = environ.get(METRICS_BIND_ENV, "").strip()
    if not bind:
        return None
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{METRICS_BIND_ENV}={bind!r} must be HOST:PORT, e.g. 0.0.0.0:9464")
    return bind


def metrics_runtime(bind_address: str):
    """A Temporal Runtime whose SDK metrics are served for Prometheus on `bind_address` (the SDK's own exporter)."""
    from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))


def connect_config() -> dict:
    from temporalio.envconfig import ClientConfig

    config = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_TARGET)
    config.setdefault("namespace", "default")
    return config


async def main() -> int:
    from configuration.resources import resolve_resources
    from configuration.settings import load_settings

    try:
        settings = load_settings()
        resources = resolve_resources(settings)
    except Exception as exc:  # noqa: BLE001 - one readable line, no traceback
        print(f"worker: cannot load settings: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return 2
    try:
        config = connect_config()
        metrics_bind = metrics_bind_address()
    except Exception as exc:  # noqa: BLE001
        print(f"worker: bad Temporal client configuration: {exc}", file=sys.stderr)
        return 2
    if metrics_bind:
        try:
            config["runtime"] = metrics_runtime(metrics_bind)
        except Exception as exc:  # noqa: BLE001 - e.g. the port is taken: one line, no traceback
            print(f"worker: cannot serve metrics on {metrics_bind}: {str(exc).splitlines()[0]}", file=sys.stderr)
            return 1
        log.info("Temporal SDK metrics for Prometheus on http://%s/metrics", metrics_bind)
    try:
        client = await asyncio.wait_for(Client.connect(**config), timeout=15)
    except (RuntimeError, OSError, TimeoutError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"worker: cannot reach the Temporal server at {config['target_host']}: {detail}", file=sys.stderr)
        return 1
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)
    log.info("worker polling task queue %r on %s for regions %s", settings.task_queue, config["target_host"],
             ", ".join(settings.regions))
    await run_worker(client, settings, resources, stop_event)
    log.info("worker stopped")
    return 0


def exit_now(code: int) -> None:
    """Leave without interpreter finalization, which the Temporal client's Rust threads can abort
    (temporalio/sdk-python#300, "PyGILState_Release ... finalizing": SIGABRT instead of the exit code; the CLI
    does the same in cli.main)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    exit_now(asyncio.run(main()))
