"""Background processes with pid files: start detached, tell alive from dead (and from a reused pid), stop cleanly."""

import json
import os
import signal
import socket
import subprocess  # nosec B404 - starts the stack's own programs with fixed argument lists
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PidRecord:
    name: str
    pid: int
    start_ticks: int | None
    command: list[str]


def _start_ticks(pid: int) -> int | None:
    """Kernel start time of a process (Linux), to recognise a pid the OS reused for another program."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[19])


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].startswith("Z")


def _reap(pid: int) -> None:
    """Collect the exit status when this process is the parent (in-process `local up` in tests)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def pid_file(pids_dir: Path, name: str) -> Path:
    return pids_dir / f"{name}.pid"


def read_record(pids_dir: Path, name: str) -> PidRecord | None:
    path = pid_file(pids_dir, name)
    try:
        data = json.loads(path.read_text())
        return PidRecord(name=name, pid=int(data["pid"]), start_ticks=data.get("start_ticks"), command=data["command"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_alive(record: PidRecord | None) -> bool:
    if record is None:
        return False
    _reap(record.pid)
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if _is_zombie(record.pid):
        return False
    if record.start_ticks is not None:
        current = _start_ticks(record.pid)
        if current is not None and current != record.start_ticks:
            return False
    return True


def spawn(name: str, command: list[str], *, env: dict[str, str], cwd: Path, pids_dir: Path, logs_dir: Path) -> PidRecord:
    """Start `command` in its own session (it outlives the CLI), output appended to logs/<name>.log."""
    pids_dir.mkdir(parents=True, exist_ok=True)
    logs_dir.mkdir(parents=True, exist_ok=True)
    with (logs_dir / f"{name}.log").open("ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(command)}\n".encode())
        log.flush()
        process = subprocess.Popen(  # nosec B603 - fixed argument list, no shell
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    record = PidRecord(name=name, pid=process.pid, start_ticks=_start_ticks(process.pid), command=command)
    pid_file(pids_dir, name).write_text(
        json.dumps({"pid": record.pid, "start_ticks": record.start_ticks, "command": command})
    )
    return record


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the child leads its own session, so this reaches its children too
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def stop(pids_dir: Path, name: str, grace_seconds: float = 10.0) -> str:
    """SIGTERM, then SIGKILL after the grace period; remove the pid file. Returns what happened."""
    record = read_record(pids_dir, name)
    if not is_alive(record):
        pid_file(pids_dir, name).unlink(missing_ok=True)
        return "not running"
    _signal_group(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not is_alive(record):
            pid_file(pids_dir, name).unlink(missing_ok=True)
            return "stopped"
        time.sleep(0.1)
    _signal_group(record.pid, signal.SIGKILL)
    for _ in range(50):
        if not is_alive(record):
            break
        time.sleep(0.1)
    pid_file(pids_dir, name).unlink(missing_ok=True)
    return "killed"


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on host:port (binding is the only reliable test)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
