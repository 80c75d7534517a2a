"""The security suite shares the reliability suite's local stack (started once per session)."""

import sys
from pathlib import Path

import pytest
from required_tools import temporal_cli_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

import reliability_harness as harness


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    temporal_cli_path()
    yield harness.acquire(tmp_path_factory.mktemp("security"))
    harness.release()
