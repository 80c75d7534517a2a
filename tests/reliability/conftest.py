"""Fixtures of the reliability suite: the shared real local stack (see reliability_harness.py)."""


import pytest
import reliability_harness as harness
from required_tools import temporal_cli_path


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    temporal_cli_path()
    yield harness.acquire(tmp_path_factory.mktemp("reliability"))
    harness.release()


@pytest.fixture
def clean(stack):
    """Faults cleared and emulator timings back to the local stack's before and after each test."""
    stack.clear_faults()
    yield stack
    stack.clear_faults()
