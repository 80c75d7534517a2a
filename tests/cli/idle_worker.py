"""A worker that accepts any workflow type and keeps it running (answering `progress`), for CLI tests.

    python tests/cli/idle_worker.py ADDRESS TASK_QUEUE

So that a CLI following an operation can be interrupted or lose its server while it waits.
"""

import asyncio
import sys
from collections.abc import Sequence

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RawValue
from temporalio.worker import Worker


@workflow.defn(dynamic=True)
class Idle:
    @workflow.run
    async def run(self, args: Sequence[RawValue]) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query(name="progress")
    def progress(self) -> dict:
        return {"rows": [{"region": "us-east-1", "version": "v", "status": "TRAINING_IN_PROGRESS", "ok": None}]}


async def main(address: str, queue: str) -> None:
    client = await Client.connect(address)
    async with Worker(client, task_queue=queue, workflows=[Idle]):
        print("polling", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
