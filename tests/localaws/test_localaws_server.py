"""`python -m localaws` and the control API surface."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from thread_signals import sigterm_a_non_main_thread

from localaws.control import EmulatorControl, EmulatorControlError
from localaws.server import LocalAws

ROOT = Path(__file__).resolve().parents[2]


def _run_module(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "localaws", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **kwargs,
    )


def test_module_serves_on_loopback_and_stops_on_sigterm():
    process = _run_module("--port", "0")
    try:
        line = process.stdout.readline()
        assert line.startswith("localaws listening on http://127.0.0.1:"), line
        url = line.split()[3]
        assert EmulatorControl(url).health()["ok"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=20) == 0
        finally:
            process.kill()  # never left running to hold ports for the tests after


def test_a_sigterm_the_kernel_gives_another_thread_still_stops_it():
    """Before, the main thread slept in a bare Event.wait() and never ran the handler: the process lived on (a CI
    run lost its later tests to such a leftover holding ports)."""
    process = _run_module("--port", "0")
    try:
        assert process.stdout.readline().startswith("localaws listening on")
        sigterm_a_non_main_thread(process.pid)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


def test_port_in_use_is_a_one_line_error(local_aws):
    process = _run_module("--port", str(local_aws.port))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert stderr.strip().splitlines() == [f"error: 127.0.0.1:{local_aws.port} is already in use"]


def test_in_process_port_in_use_raises_oserror(local_aws):
    with pytest.raises(OSError):
        LocalAws(port=local_aws.port).start()


def test_unknown_control_route_and_bad_json(local_aws, emulator):
    with pytest.raises(EmulatorControlError, match="no control endpoint"):
        emulator._call("GET", "nothing-here")
    request = urllib.request.Request(f"{local_aws.url}/_emulator/config", data=b"{oops", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400


def test_health_and_moto_api_still_reachable(local_aws, emulator):
    assert emulator.health() == {"ok": True, "replication_pending": 0}
    with urllib.request.urlopen(f"{local_aws.url}/moto-api/data.json", timeout=10) as response:
        assert response.status == 200
