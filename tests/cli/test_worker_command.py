"""`python cli.py worker` polls the configured task queue and stops cleanly on SIGTERM."""

import os
import subprocess
import sys
import uuid

from cli_helpers import PROJECT_ROOT, stop_with_sigterm, wait_for_pollers, write_tfvars


def test_worker_polls_then_stops_on_sigterm(local_aws, temporal_address, tmp_path):
    queue = f"worker-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "one.tfvars", ["us-east-1"], temporal_task_queue=queue)
    env = {**os.environ, "GCL_USE_LOCAL_STACK": "0", "TEMPORAL_ADDRESS": temporal_address,
           "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    worker = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "cli.py"), "worker"], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_pollers(worker, temporal_address, queue)
        # The signal handlers are installed before polling starts, so SIGTERM now is a clean stop.
    finally:
        stderr = stop_with_sigterm(worker)
    assert worker.returncode == 0, stderr
    assert f"worker polling task queue {queue!r}" in stderr
