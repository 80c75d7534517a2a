"""Workflow tests: real workflows and real activities (boto3 over HTTP) against the local AWS endpoint, on the
Temporal time-skipping test server, so 5-minute polls and 24-hour limits pass in moments.

The emulator runs in "calls" timing mode (a transition completes after N DescribeProjectVersions calls
saw it) or "manual" mode (only `emulator.advance()` completes it), so nothing depends on wall time.
"""

import dataclasses
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import pytest_asyncio
from aws_world import World
from required_tools import temporal_test_server_path
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment

from workflows import activity_api

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
CALLS_TIMING = {"mode": "calls", "TRAINING": 3, "STARTING": 2, "STOPPING": 2, "DELETING": 1}


@pytest_asyncio.fixture(scope="session")
async def env():
    path = temporal_test_server_path()
    async with await WorkflowEnvironment.start_time_skipping(test_server_existing_path=path) as environment:
        yield environment


@pytest_asyncio.fixture
async def own_server():
    """A time-skipping server per test, for tests that await results with time skipping unlocked (an unlock on the
    shared server can leave its lock count wrong for the tests after)."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server_path()
    ) as environment:
        yield environment


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """The time-skipping server waits activity retry backoff in real time: shrink it.

    The attempts stay production's: since workflows.activity_api is passed through the sandbox by name, this
    patch reaches the workflows, and a throttling storm must be ridden out with the attempts AWS callers get.
    """
    for options in (activity_api.SHORT_CALL, activity_api.LONG_CALL):
        policy = dataclasses.replace(
            options["retry_policy"], initial_interval=timedelta(milliseconds=20),
            maximum_interval=timedelta(milliseconds=100),
        )
        monkeypatch.setitem(options, "retry_policy", policy)
    monkeypatch.setitem(
        activity_api.NOTIFY_CALL, "retry_policy",
        RetryPolicy(initial_interval=timedelta(milliseconds=20), maximum_attempts=3,
                    non_retryable_error_types=activity_api.PERMANENT_ERROR_TYPES),
    )


@pytest.fixture
def regions() -> tuple[str, ...]:
    """The world's regions (a module may override this fixture)."""
    return REGIONS


@pytest.fixture
def world(emulator, regions):
    """Three regions with buckets, topic and the dataset already replicated; 5-minute polls like production."""
    emulator.configure({"timing": CALLS_TIMING, "replication_delay_seconds": 0})
    created = World(regions).create()
    created.upload()
    return created


@pytest_asyncio.fixture
async def worker(env, world):
    """A worker with every workflow and the real activities on a fresh task queue; yields the queue name."""
    from worker import build_worker

    queue = f"test-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(env.client, world.settings, world.resources, executor, task_queue=queue):
            yield queue
