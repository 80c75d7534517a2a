"""Send a signal to one chosen thread of another process (tgkill), as the kernel may do with a process's SIGTERM.

Python runs signal handlers only in the main thread: a server whose main thread sleeps in a bare Event.wait() never
sees a SIGTERM the kernel handed to one of its other threads. Tests use this to make that case certain.
"""

import ctypes
import os
import signal
import time
from pathlib import Path

SYS_TGKILL = 234  # x86_64


def sigterm_a_non_main_thread(pid: int, wait_for_threads: float = 10) -> int:
    """SIGTERM one thread of `pid` that is not its main thread; returns that thread's id."""
    deadline = time.monotonic() + wait_for_threads
    while True:
        others = sorted(int(t) for t in os.listdir(Path(f"/proc/{pid}/task")) if int(t) != pid)
        if others or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert others, f"process {pid} has no thread besides its main one"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(SYS_TGKILL, pid, others[-1], signal.SIGTERM) == 0, os.strerror(ctypes.get_errno())
    return others[-1]
