"""Against a real Temporal dev server with nobody polling: the CLI says so instead of waiting forever."""

import re
import uuid

from cli_helpers import assert_runs_from_a_fresh_shell, run_cli, write_tfvars


def test_build_without_worker_is_refused_with_one_line(temporal_address, tmp_path):
    queue = f"nobody-{uuid.uuid4().hex[:8]}"
    tfvars = write_tfvars(tmp_path / "one.tfvars", ["us-east-1"], temporal_task_queue=queue)
    result = run_cli("build", "--manifest", "datasets/x/output.manifest",
                     env={"TEMPORAL_ADDRESS": temporal_address, "GCL_TFVARS": str(tfvars)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    hint = re.fullmatch(rf"error: no worker is polling task queue {re.escape(repr(queue))} on "
                        rf"{re.escape(temporal_address)}: start one with `(?P<cli>.+) worker` "
                        r"\(the local stack starts one: (?P=cli) local up\)", lines[0])
    assert hint, lines[0]
    assert_runs_from_a_fresh_shell(hint["cli"])
