"""`python worker.py` serves the Temporal SDK's Prometheus metrics on GCL_WORKER_METRICS_BIND (off by default):
scraped here from a real worker polling a real dev server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

from cli_helpers import PROJECT_ROOT, free_port, stop_with_sigterm, wait_for_pollers, write_tfvars


def _worker(local_aws, temporal_address, tmp_path, queue: str, bind: str | None) -> subprocess.Popen:
    tfvars = write_tfvars(tmp_path / "one.tfvars", ["us-east-1"], temporal_task_queue=queue)
    env = {**os.environ, "GCL_USE_LOCAL_STACK": "0", "TEMPORAL_ADDRESS": temporal_address,
           "GCL_TFVARS": str(tfvars), "AWS_ENDPOINT_URL": local_aws.url}
    env.pop("GCL_WORKER_METRICS_BIND", None)
    if bind is not None:
        env["GCL_WORKER_METRICS_BIND"] = bind
    return subprocess.Popen([sys.executable, str(PROJECT_ROOT / "worker.py")], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
        return answer.read().decode()


def test_a_polling_worker_serves_its_sdk_metrics_for_prometheus(local_aws, temporal_address, tmp_path):
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    port = free_port()
    worker = _worker(local_aws, temporal_address, tmp_path, queue, f"127.0.0.1:{port}")
    try:
        wait_for_pollers(worker, temporal_address, queue)
        deadline = time.monotonic() + 30
        while True:  # the SDK reports slot gauges once its pollers run
            text = _scrape(f"http://127.0.0.1:{port}/metrics")
            lines = [line for line in text.splitlines() if line.startswith("temporal_") and f'task_queue="{queue}"' in line]
            if any(line.startswith("temporal_worker_task_slots_available") for line in lines):
                break
            assert time.monotonic() < deadline, f"no slot metrics for {queue} in:\n{text[:3000]}"
            time.sleep(0.5)
    finally:
        stderr = stop_with_sigterm(worker)
    assert worker.returncode == 0, stderr
    assert f"Temporal SDK metrics for Prometheus on http://127.0.0.1:{port}/metrics" in stderr
    assert any('worker_type="ActivityWorker"' in line for line in lines), lines
    assert any('worker_type="WorkflowWorker"' in line for line in lines), lines


def test_metrics_are_off_unless_asked_for(local_aws, temporal_address, tmp_path):
    queue = f"metrics-off-{uuid.uuid4().hex[:8]}"
    worker = _worker(local_aws, temporal_address, tmp_path, queue, None)
    try:
        wait_for_pollers(worker, temporal_address, queue)
    finally:
        stderr = stop_with_sigterm(worker)
    assert worker.returncode == 0, stderr
    assert "Prometheus" not in stderr


def test_a_taken_port_or_a_bad_address_is_one_line_and_a_non_zero_exit(local_aws, temporal_address, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = _worker(local_aws, temporal_address, tmp_path, "unused", f"127.0.0.1:{port}")
        _, stderr = busy.communicate(timeout=60)
    assert busy.returncode == 1
    assert stderr.strip().splitlines() == [
        (f"worker: cannot serve metrics on 127.0.0.1:{port}: Failed starting Prometheus exporter: "
         "Address already in use (os error 98)")
    ]
    bad = _worker(local_aws, temporal_address, tmp_path, "unused", "9464")
    _, stderr = bad.communicate(timeout=60)
    assert bad.returncode == 2
    assert stderr.strip().splitlines() == [
        "worker: bad Temporal client configuration: GCL_WORKER_METRICS_BIND='9464' must be HOST:PORT, e.g. 0.0.0.0:9464"
    ]
