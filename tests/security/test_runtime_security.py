"""Runtime security on the real local stack: servers listen on 127.0.0.1 only, and no credential ever reaches
an output or a log, even when the CLI and the worker run with (fake, recognizable) secrets in their environment."""

import os
import sys
from pathlib import Path

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.reliability
LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc/net prints them
LISTEN = "0A"


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()


def process_group(leader: int) -> list[int]:
    """The component and every process it started (they share its process group: it leads its own session)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[2]) == leader:
                members.append(int(entry.name))
    return members


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def bound_sockets() -> dict[str, tuple[str, str, str]]:
    """inode -> (table, local address hex, port hex) for TCP listeners and unconnected UDP sockets."""
    found = {}
    for table in ("tcp", "tcp6", "udp", "udp6"):
        lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            parts = line.split()
            address, port = parts[1].split(":")
            state, inode = parts[3], parts[9]
            if (table.startswith("tcp") and state == LISTEN) or (table.startswith("udp") and parts[2].endswith(":0000")):
                found[inode] = (table, address, port)
    return found


def test_every_local_server_binds_loopback_only(stack):
    sockets = bound_sockets()
    listening: dict[str, list[tuple[str, str, str]]] = {}
    for component in ("localaws", "temporal", "worker", "inference"):
        leader = stack.pid(component)
        assert leader, f"{component} is not running"
        for pid in process_group(leader):
            listening.setdefault(component, []).extend(sockets[i] for i in socket_inodes(pid) if i in sockets)
    exposed = {c: [s for s in found if s[1] not in LOOPBACK] for c, found in listening.items()}
    assert not any(exposed.values()), f"sockets bound beyond loopback: {exposed}"
    tcp = {c: sorted(int(port, 16) for table, _, port in found if table.startswith("tcp"))
           for c, found in listening.items()}
    assert int(stack.env["GCL_AWS_PORT"]) in tcp["localaws"], tcp
    assert int(stack.env["GCL_TEMPORAL_PORT"]) in tcp["temporal"], tcp
    assert len(tcp["inference"]) == len(stack.regions) + 1, tcp
    harness.FIGURES.notes.append(f"listening sockets checked: {sum(len(v) for v in listening.values())}, "
                                 "all on 127.0.0.1")


def _scan_files(root: Path, secrets: dict[str, str]) -> list[str]:
    hits = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {name}" for name, value in secrets.items() if value.encode() in data]
    return hits


def _run_a_build_with_a_secret_worker(stack, explicit: dict[str, str]) -> None:
    """Only when the reliability suite's fault tests (whose worker holds the secrets) did not run this session."""
    worker_pid = stack.spawn_worker([sys.executable, str(harness.PROJECT_ROOT / "worker.py")], extra_env=explicit)
    try:
        environ = Path(f"/proc/{worker_pid}/environ").read_bytes()
        assert all(v.encode() in environ for v in harness.FAKE_SECRETS.values()), "the worker lacks the fake secrets"
        stack.configure({"faults": {"fail_training": [{"region": "us-east-2"}]}},
                        fault="failing training under fake credentials")
        build = stack.cli("build", "--project", "Secrets", "--version", "v1", "--manifest", harness.MANIFEST_KEY,
                          "--region", "us-east-1", "--region", "us-east-2", "--json", extra_env=explicit)
        harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
        assert build.returncode == 1 and build.json()["result"]["failed"], build.output  # error paths were taken
        harness.SECRET_RUNS.append("build/Secrets/v1")
    finally:
        stack.clear_faults()
        stack.restore_worker()


def test_no_credential_is_printed_or_logged(stack):
    secrets = harness.FAKE_SECRETS
    explicit = harness.explicit_secret_env(stack)
    if not harness.SECRET_RUNS:
        _run_a_build_with_a_secret_worker(stack, explicit)
    for args in (["status", "--project", "Secrets", "--json"], ["stop", "--project", "Secrets", "--versions", "ghost"],
                 ["build", "--project", "bad name!"]):
        stack.cli(*args, extra_env=explicit)
    for args in (["status", "--project", "Secrets"],  # the stack found through GCL_STATE_DIR, key in the env
                 ["build", "--project", "Secrets", "--version", "v1", "--manifest", harness.MANIFEST_KEY,
                  "--region", "us-east-1", "--no-wait"]):
        stack.cli(*args, extra_env={"TEMPORAL_API_KEY": secrets["TEMPORAL_API_KEY"]})
    printed = [f"output #{i}: {name}" for i, text in enumerate(stack.outputs)
               for name, value in secrets.items() if value in (text or "")]
    logged = _scan_files(stack.state_dir, secrets)
    assert not printed and not logged, f"credentials leaked: {printed + logged}"
    harness.FIGURES.notes.append(
        f"credential scan: {len(harness.SECRET_RUNS)} workflow run(s) by a worker signing with the fake secrets; "
        f"{len(stack.outputs)} outputs and {sum(1 for p in stack.state_dir.rglob('*') if p.is_file())} state files "
        "(logs, env, pid files, temporal.db) searched for 3 fake secrets: 0 hits")


def test_cli_reaches_the_local_stack_with_a_temporal_api_key_in_the_env(stack):
    """A Temporal Cloud key in the shell is neither offered to the local dev server nor in the way of reaching it."""
    result = stack.cli("build", "--project", "ApiKey", "--version", "v1", "--manifest", "datasets/none/x.manifest",
                       "--region", "us-east-1", "--no-wait",
                       extra_env={"TEMPORAL_API_KEY": harness.FAKE_SECRETS["TEMPORAL_API_KEY"]})
    if result.returncode == 0:
        harness.FIGURES.workflow_runs["BuildModelWorkflow"] += 1
    assert "cannot reach the Temporal server" not in result.output, result.output
    # The manifest check runs after the Temporal connection and the worker check: reaching it proves the server
    # was reached with the key in the environment (and the missing manifest is refused before anything starts).
    assert result.returncode == 1 and result.stderr.strip().startswith("error: manifest s3://"), result.output
    assert "datasets/none/x.manifest not found" in result.stderr, result.output
