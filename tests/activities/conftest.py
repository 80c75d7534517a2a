"""Activity tests: the real activities (plain boto3 over HTTP) against the local AWS endpoint."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))  # aws_world, shared with workflow tests

from aws_world import World

from activities.clients import Boto3Clients


@pytest.fixture
def world(emulator):
    emulator.configure({"timing": {"mode": "calls", "TRAINING": 2, "STARTING": 1, "STOPPING": 1, "DELETING": 1},
                        "replication_delay_seconds": 0})
    return World(("us-east-1", "eu-west-1")).create()


@pytest.fixture
def clients(local_aws):
    return Boto3Clients()
