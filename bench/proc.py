"""Run a command as a child process and measure its wall time and peak RSS (os.wait4's ru_maxrss)."""

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
        killer = threading.Timer(timeout, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            message = err.read().decode(errors="replace").strip()[-600:]
            raise RuntimeError(f"{' '.join(str(a) for a in args[:4])} exited {code}: {message}")
        return Measured(seconds, usage.ru_maxrss / 1024, out.read().decode(errors="replace"))


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
        """SIGTERM, wait, and return the child's peak RSS in MiB."""
        self.process.terminate()
        killer = threading.Timer(timeout, self.process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(self.process.pid, 0)
        finally:
            killer.cancel()
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.process.stdout.close()
        self._err.close()
        return usage.ru_maxrss / 1024
