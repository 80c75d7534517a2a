"""The machine a run was measured on (nproc, memory, Python, CPU model)."""

from __future__ import annotations

import os
import platform
import sys


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def describe() -> dict:
    memory = _memory_gb()
    return {
        "nproc": os.cpu_count(),
        "memory": f"{memory:.1f} GiB" if memory else "unknown",
        "python": sys.version.split()[0],
        "cpu": _cpu_model(),
        "platform": platform.platform(),
    }
