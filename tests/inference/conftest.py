"""Fixtures for the inference tests."""

import pytest
from inference_support import ManualClock, Models


@pytest.fixture
def models(emulator):
    emulator.configure({"timing": {"mode": "manual"}})
    return Models(emulator)


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def fast_failures(monkeypatch):
    """One attempt per Rekognition call, so fault-injection tests do not sit in boto3's retry backoff."""
    monkeypatch.setenv("REKOGNITION_MAX_ATTEMPTS", "1")
