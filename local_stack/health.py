"""Readiness checks for the local stack's processes (plain sockets and HTTP, no third-party client)."""

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True on any 2xx answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec B310 - loopback URL built by us
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until(check: Callable[[], bool], *, timeout: float, still_running: Callable[[], bool], interval: float = 0.25) -> str:
    """Poll `check` until it passes ("ok"), the process dies ("exited") or time runs out ("timeout")."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return "ok"
        if not still_running():
            return "exited"
        if time.monotonic() >= deadline:
            return "timeout"
        time.sleep(interval)
