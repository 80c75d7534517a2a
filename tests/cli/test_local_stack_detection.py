"""After `local up`, commands find the stack by themselves, and never carry real credentials to it."""

import os
import sys

import pytest

from cli_commands import environment
from cli_commands.temporal_client import connect_config
from configuration.settings import load_settings
from local_stack import processes
from local_stack.config import StackConfig
from local_stack.stack import write_env_file


@pytest.fixture
def running_stack(tmp_path, monkeypatch):
    """A state folder whose `localaws` pid file names a live process, as `local up` leaves it."""
    saved = dict(os.environ)  # the detection edits os.environ directly: restore all of it afterwards
    config = StackConfig(state_dir=tmp_path / "state", aws_port=45661, temporal_port=47231,
                         temporal_ui_port=48231, inference_port=48711)
    write_env_file(config, load_settings(tfvars=config.tfvars))
    processes.spawn("localaws", [sys.executable, "-c", "import time; time.sleep(600)"], env={}, cwd=tmp_path,
                    pids_dir=config.pids_dir, logs_dir=config.logs_dir)
    monkeypatch.setenv("GCL_STATE_DIR", str(config.state_dir))
    monkeypatch.setenv("GCL_USE_LOCAL_STACK", "1")
    for key in ("AWS_ENDPOINT_URL", "TEMPORAL_ADDRESS", "TEMPORAL_PROFILE", "GCL_TFVARS", "TEMPORAL_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)
    yield config
    processes.stop(config.pids_dir, "localaws", grace_seconds=5)
    os.environ.clear()
    os.environ.update(saved)


def test_running_stack_is_used_and_secrets_are_dropped(running_stack, monkeypatch):
    monkeypatch.setenv("TEMPORAL_API_KEY", "cloud-key-must-not-leak")
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", "/somewhere/cert.pem")
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    assert environment.use_local_stack_if_running()
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:45661"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_PROFILE" not in os.environ and "TEMPORAL_API_KEY" not in os.environ
    assert not any(key.startswith("TEMPORAL_TLS") for key in os.environ)
    assert os.environ["GCL_TFVARS"].endswith("terraform/local.tfvars")
    assert connect_config() == {"target_host": "127.0.0.1:47231", "namespace": "default"}


def test_explicit_endpoints_win(running_stack, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    assert not environment.use_local_stack_if_running()
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"


def test_detection_can_be_turned_off(running_stack, monkeypatch):
    monkeypatch.setenv("GCL_USE_LOCAL_STACK", "0")
    assert not environment.use_local_stack_if_running()


def test_stopped_stack_is_not_used(running_stack):
    processes.stop(running_stack.pids_dir, "localaws", grace_seconds=5)
    assert not environment.use_local_stack_if_running()
    assert "AWS_ENDPOINT_URL" not in os.environ


def test_a_crashed_stack_is_never_silently_replaced_by_real_aws(running_stack, monkeypatch):
    """Issue 15.4: localaws died (pid file left behind, no `local down`): one error, no fallback."""
    import signal

    from cli_commands.errors import UserError

    record = processes.read_record(running_stack.pids_dir, "localaws")
    os.kill(record.pid, signal.SIGKILL)
    for _ in range(100):
        if not processes.is_alive(record):
            break
        import time

        time.sleep(0.05)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    with pytest.raises(UserError, match=r"is down \(localaws exited\) and was not stopped with `local down`"):
        environment.use_local_stack_if_running()
    assert "AWS_ENDPOINT_URL" not in os.environ


def test_a_crashed_stack_is_one_line_from_the_cli(running_stack):
    import signal
    import subprocess

    record = processes.read_record(running_stack.pids_dir, "localaws")
    os.kill(record.pid, signal.SIGKILL)
    env = {**os.environ, "GCL_STATE_DIR": str(running_stack.state_dir), "GCL_USE_LOCAL_STACK": "1"}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, os.path.join(root, "cli.py"), "status"], env=env, cwd=root,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the local stack in "), result.stderr
