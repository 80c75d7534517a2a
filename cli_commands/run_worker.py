"""`worker`: the Temporal worker that runs every workflow and activity (same as `python worker.py`)."""

import asyncio
import signal

from cli_commands import environment, output
from cli_commands.errors import UserError, one_line_errors


async def _serve() -> None:
    import worker as worker_module
    from cli_commands.temporal_client import connect

    settings = environment.load_settings()
    resources = environment.resolve_resources(settings)
    client = await connect()
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)
    output.err_console.print(
        f"worker polling task queue {settings.task_queue!r} on {client.service_client.config.target_host} "
        f"for {len(settings.regions)} region(s); Ctrl-C to stop")
    await worker_module.run_worker(client, settings, resources, stop_event=stop_event)


@one_line_errors
def worker() -> None:
    """Run the worker in the foreground until Ctrl-C (SIGTERM also stops it cleanly)."""
    environment.use_local_stack_if_running()
    try:
        import worker as _  # noqa: F401
    except ImportError as exc:
        raise UserError(f"worker.py cannot be imported: {exc}") from None
    asyncio.run(_serve())
