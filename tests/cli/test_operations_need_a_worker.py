"""Against a real Temporal dev server with nobody polling: the CLI says so instead of waiting forever."""

import uuid

from cli_helpers import run_cli, write_tfvars


def test_build_without_worker_is_refused_with_one_line(temporal_address, tmp_path):
    queue = f"nobody-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "one.tfvars", ["us-east-1"], temporal_task_queue=queue)
    result = run_cli("build", "--manifest", "datasets/x/output.manifest",
                     env={"TEMPORAL_ADDRESS": temporal_address, "GCL_TFVARS": str(tfvars)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    expected = (f"error: no worker is polling task queue {queue!r} on {temporal_address}: start one with "
                "`python cli.py worker` (the local stack starts one: python cli.py local up)")
    assert result.stderr.strip().splitlines() == [expected]
