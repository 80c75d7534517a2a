"""`python cli.py worker` polls the configured task queue and stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid

from cli_helpers import PROJECT_ROOT, write_tfvars


async def _pollers(address: str, queue: str) -> int:
    from temporalio.client import Client

    from cli_commands.temporal_client import workflow_pollers

    return await workflow_pollers(await Client.connect(address), queue)


def test_worker_polls_then_stops_on_sigterm(local_aws, temporal_address, tmp_path):
    queue = f"worker-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "one.tfvars", ["us-east-1"], temporal_task_queue=queue)
    env = {**os.environ, "GCL_USE_LOCAL_STACK": "0", "TEMPORAL_ADDRESS": temporal_address,
           "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    worker = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "cli.py"), "worker"], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while asyncio.run(_pollers(temporal_address, queue)) == 0:
            assert worker.poll() is None, worker.communicate()[1]
            assert time.monotonic() < deadline, "the worker never polled"
            time.sleep(0.5)
        # The signal handlers are installed before polling starts, so SIGTERM now is a clean stop.
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            _, stderr = worker.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            raise
    assert worker.returncode == 0, stderr
    assert f"worker polling task queue {queue!r}" in stderr
