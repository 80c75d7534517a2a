"""CLI tests never pick up a developer's running local stack by accident."""

import pytest


@pytest.fixture(autouse=True)
def _no_local_stack_detection(monkeypatch, tmp_path):
    monkeypatch.setenv("GCL_USE_LOCAL_STACK", "0")
    monkeypatch.setenv("GCL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("GCL_TFVARS", raising=False)


@pytest.fixture(scope="session")
def temporal_address(tmp_path_factory):
    """A real Temporal dev server (the pip-installed `temporal` binary) on a free port, search attributes registered."""
    import time

    from cli_helpers import free_port
    from required_tools import temporal_cli_path

    from local_stack import health, processes
    from local_stack.stack import SEARCH_ATTRIBUTES

    binary = temporal_cli_path()
    state = tmp_path_factory.mktemp("temporal")
    port = free_port()
    command = [binary, "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), "--headless",
               "--log-level", "warn"]
    for key, kind in SEARCH_ATTRIBUTES.items():
        command += ["--search-attribute", f"{key}={kind}"]
    record = processes.spawn("temporal", command, env=dict(__import__("os").environ), cwd=state,
                             pids_dir=state / "pids", logs_dir=state / "logs")
    deadline = time.monotonic() + 60
    while not health.tcp_open("127.0.0.1", port):
        assert processes.is_alive(record), processes.tail(state / "logs" / "temporal.log")
        assert time.monotonic() < deadline, "temporal dev server did not start"
        time.sleep(0.2)
    yield f"127.0.0.1:{port}"
    processes.stop(state / "pids", "temporal", grace_seconds=5)


@pytest.fixture
def deployed(local_aws, emulator, tmp_path, monkeypatch):
    """A one-region account bootstrapped like terraform apply (a module may define its own `deployed`)."""
    from cli_helpers import write_tfvars

    from configuration.resources import derive_resources
    from configuration.settings import load_settings
    from local_stack.bootstrap import bootstrap

    monkeypatch.setenv("GCL_TFVARS", str(write_tfvars(tmp_path / "one.tfvars", ["us-east-1"])))
    settings = load_settings()
    resources = derive_resources(settings, "123456789012")
    bootstrap(settings, resources)
    return resources
