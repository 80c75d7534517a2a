"""Child process of the orchestration section: one worker (ours or the bare baseline) until SIGTERM.

`python -m bench.orchestration_worker real|bare ADDRESS QUEUE`; prints "ready" once polling. The parent reads
this process's peak RSS when it exits.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from concurrent.futures import ThreadPoolExecutor


async def serve(mode: str, address: str, queue: str) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker

    from worker import ACTIVITY_THREADS

    client = await Client.connect(address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS) as executor:
        if mode == "real":
            from bench.orchestration import settings_from_env
            from worker import build_worker

            settings, resources = settings_from_env()
            worker = build_worker(client, settings, resources, executor, task_queue=queue)
        else:
            from bench import bare_workflows as bare

            worker = Worker(client, task_queue=queue, workflows=bare.BARE_WORKFLOWS, activities=bare.activities(client),
                            activity_executor=executor, max_concurrent_activities=ACTIVITY_THREADS)
        async with worker:
            print("ready", flush=True)
            await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:4]))
    sys.exit(0)
