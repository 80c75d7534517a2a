"""Run a command as a child process and measure its wall time and peak RSS.

Peak RSS is the child's VmHWM from /proc/<pid>/status (sampled while it runs; VmHWM only grows). The
rusage ru_maxrss of a child is no good here: Linux carries the forking parent's high-water mark across
fork/exec, so every child of a big bench process would look as big as the bench.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404 - the bench runs its own helpers and sed
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time the process has used so far (utime + stime of /proc/<pid>/stat), in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3, utime 14, stime 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """The process's peak resident set size (VmHWM) in MiB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class PeakSampler(threading.Thread):
    """Reads a child's VmHWM every few milliseconds until told to stop; keeps the last value read."""

    def __init__(self, pid: int, every: float = 0.005):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            found = vm_hwm_mb(self.pid)
            if found:
                self.peak = max(self.peak, found)
            self._stop_event.wait(self.every)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    stdout: str


def run_measured(args: list[str], *, stdin=None, stdout=None, env: dict | None = None, cwd: Path = ROOT,
                 timeout: float = 900) -> Measured:
    """Wall seconds and peak RSS (MiB) of one child (reaped with wait4 so the RSS is its own, not a sum)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(  # nosec B603 - fixed argv, no shell
            args, stdin=stdin, stdout=stdout or out, stderr=err, cwd=cwd, env={**os.environ, **(env or {})},
        )
        sampler = PeakSampler(child.pid)
        sampler.start()
        killer = threading.Timer(timeout, child.kill)
        killer.start()
        try:
            _, status, _ = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        peak = sampler.stop()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            message = err.read().decode(errors="replace").strip()[-600:]
            raise RuntimeError(f"{' '.join(str(a) for a in args[:4])} exited {code}: {message}")
        return Measured(seconds, peak, out.read().decode(errors="replace"))


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


class Child:
    """A long-running child (a worker) started now, stopped with SIGTERM later; stop() returns its peak RSS."""

    def __init__(self, args: list[str], env: dict | None = None, ready_line: str = "ready", timeout: float = 120):
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # nosec B603 - fixed argv, no shell
            args, stdout=subprocess.PIPE, stderr=self._err, cwd=ROOT, env={**os.environ, **(env or {})},
        )
        killer = threading.Timer(timeout, self.process.kill)
        killer.start()
        try:
            line = self.process.stdout.readline().decode().strip()
        finally:
            killer.cancel()
        if line != ready_line:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"{' '.join(args[:4])} did not start: {self._stderr()}")

    def _stderr(self) -> str:
        self._err.seek(0)
        return self._err.read().decode(errors="replace").strip()[-600:]

    def stop(self, timeout: float = 60) -> float:
        """SIGTERM, wait, and return the child's peak RSS in MiB (its VmHWM just before the signal)."""
        peak = vm_hwm_mb(self.process.pid) or 0.0
        self.process.terminate()
        killer = threading.Timer(timeout, self.process.kill)
        killer.start()
        try:
            _, status, _ = os.wait4(self.process.pid, 0)
        finally:
            killer.cancel()
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.process.stdout.close()
        self._err.close()
        return peak
