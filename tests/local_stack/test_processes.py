"""Pid files, liveness, clean and forced shutdown, port checks: on real child processes and sockets."""

import socket
import sys
import time

from local_stack import processes

SLEEPER = [sys.executable, "-c", "import time; print('READY'.lower() + '!', flush=True); time.sleep(600)"]
STUBBORN = [sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('READY'.lower() + '!', flush=True); time.sleep(600)"]


def _spawn(tmp_path, command, name="sleeper"):
    record = processes.spawn(name, command, env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path,
                             pids_dir=tmp_path / "pids", logs_dir=tmp_path / "logs")
    deadline = time.monotonic() + 20
    while "ready!" not in (tmp_path / "logs" / f"{name}.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return record


def test_spawn_writes_pid_file_and_log_and_stop_terminates(tmp_path):
    record = _spawn(tmp_path, SLEEPER)
    assert processes.read_record(tmp_path / "pids", "sleeper") == record
    assert processes.is_alive(record)
    assert "starting:" in (tmp_path / "logs" / "sleeper.log").read_text()
    assert processes.stop(tmp_path / "pids", "sleeper", grace_seconds=10) == "stopped"
    assert not processes.is_alive(record)
    assert not (tmp_path / "pids" / "sleeper.pid").exists()


def test_process_ignoring_sigterm_is_killed_after_grace(tmp_path):
    record = _spawn(tmp_path, STUBBORN, name="stubborn")
    assert processes.stop(tmp_path / "pids", "stubborn", grace_seconds=0.5) == "killed"
    assert not processes.is_alive(record)


def test_stop_of_missing_process_is_harmless(tmp_path):
    assert processes.stop(tmp_path / "pids", "nothing") == "not running"


def test_reused_pid_is_not_mistaken_for_our_process(tmp_path):
    record = _spawn(tmp_path, SLEEPER)
    try:
        impostor = processes.PidRecord(record.name, record.pid, (record.start_ticks or 0) + 12345, record.command)
        assert processes.is_alive(record)
        assert not processes.is_alive(impostor)
    finally:
        processes.stop(tmp_path / "pids", "sleeper", grace_seconds=5)


def test_corrupt_pid_file_reads_as_not_running(tmp_path):
    (tmp_path / "pids").mkdir()
    (tmp_path / "pids" / "x.pid").write_text("not json")
    assert processes.read_record(tmp_path / "pids", "x") is None
    assert not processes.is_alive(None)


def test_port_in_use_detects_a_listener():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert processes.port_in_use("127.0.0.1", port)
    assert not processes.port_in_use("127.0.0.1", port)
