"""`python worker.py` with the activity retry policies scaled down the way local.tfvars scales the polls.

The real AWS_RETRY gives a failing call 12 attempts over about 14 minutes (and SNS 8 over 3 minutes): right
for AWS, too slow for a suite that must prove a region that stays down is reported failed. Same worker, same
workflows; only the bounds shrink (MAX_ATTEMPTS below), so the suite can also check they are respected.
"""

import dataclasses
import sys
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAX_ATTEMPTS = 4
NOTIFY_MAX_ATTEMPTS = 3


def shrink_retry_policies() -> None:
    sys.path.insert(0, str(PROJECT_ROOT))
    from workflows import activity_api as api

    fast = {"initial_interval": timedelta(milliseconds=500), "maximum_interval": timedelta(seconds=1)}
    aws = dataclasses.replace(api.AWS_RETRY, maximum_attempts=MAX_ATTEMPTS, **fast)
    api.AWS_RETRY = aws
    api.SHORT_CALL["retry_policy"] = aws
    api.LONG_CALL["retry_policy"] = aws
    api.NOTIFY_CALL["retry_policy"] = dataclasses.replace(
        api.NOTIFY_CALL["retry_policy"], maximum_attempts=NOTIFY_MAX_ATTEMPTS, **fast)


def main() -> int:
    """worker.main(), with workflows.activity_api passed through the sandbox so the workflows see the patch."""
    import asyncio
    import logging

    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    shrink_retry_policies()
    import worker

    original = worker.run_worker
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows.activity_api"))

    async def run_worker(client, settings, resources, stop_event=None, **options):
        return await original(client, settings, resources, stop_event, workflow_runner=runner, **options)

    worker.run_worker = run_worker
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(worker.main())


if __name__ == "__main__":
    sys.exit(main())
