"""Fixtures for the local AWS endpoint's conformance tests."""

import pytest
from localaws_support import client


@pytest.fixture
def fast(emulator):
    """Transitions complete after one DescribeProjectVersions call that saw them: fast and deterministic."""
    emulator.configure({"timing": {"mode": "calls", "TRAINING": 1, "STARTING": 1, "STOPPING": 1, "DELETING": 1,
                                  "DATASET": 1}})
    return emulator


@pytest.fixture
def rekognition(local_aws):
    """Factory: a plain boto3 Rekognition client for a region, no retries (so injected errors surface)."""
    return lambda region="us-east-1", **kwargs: client("rekognition", region, local_aws.url, **kwargs)
