"""Connect to Temporal the way the SDK's envconfig says, and ask whether a worker is listening."""

import os
from typing import Any

from cli_commands.errors import UserError
from cli_commands.invocation import cli_command

DEFAULT_TARGET = "localhost:7233"


def connect_config() -> dict[str, Any]:
    """TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TLS / profiles; localhost:7233 when nothing is set."""
    from temporalio.envconfig import ClientConfig

    try:
        config = dict(ClientConfig.load_client_connect_config())
    except (OSError, ValueError, RuntimeError) as exc:  # bad profile file or TLS settings
        raise UserError(f"bad Temporal client configuration: {exc}") from None
    config.setdefault("target_host", DEFAULT_TARGET)
    config.setdefault("namespace", "default")
    return config


async def connect(timeout_seconds: float = 10.0):
    """A connected temporalio Client, or one clear line saying the server is not reachable."""
    import asyncio

    from temporalio.client import Client

    config = connect_config()
    try:
        return await asyncio.wait_for(Client.connect(**config), timeout=timeout_seconds)
    except (RuntimeError, TimeoutError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            f"cannot reach the Temporal server at {config['target_host']} ({detail}): "
            f"is it running? ({cli_command('local up')}, or set TEMPORAL_ADDRESS)"
        ) from None


async def workflow_pollers(client, task_queue: str) -> int:
    """How many workers recently polled the task queue for workflow tasks."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return len(response.pollers)


async def require_worker(client, task_queue: str) -> None:
    if await workflow_pollers(client, task_queue) == 0:
        raise UserError(
            f"no worker is polling task queue {task_queue!r} on {client.service_client.config.target_host}: "
            f"start one with `{cli_command('worker')}` (the local stack starts one: {cli_command('local up')})"
        )


def web_ui_url() -> str:
    """Base URL of the Temporal Web UI (the local stack's unless GCL_TEMPORAL_UI_URL says otherwise)."""
    return os.environ.get("GCL_TEMPORAL_UI_URL", "http://127.0.0.1:8233").rstrip("/")


def workflow_url(workflow_id: str, namespace: str = "default") -> str:
    from urllib.parse import quote

    return f"{web_ui_url()}/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}"
