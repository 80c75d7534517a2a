"""Shared fixtures: a real local AWS endpoint on a free port, reached by plain boto3 via AWS_ENDPOINT_URL."""

import os
import shutil

import pytest

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


def temporal_cli_path() -> str | None:
    return shutil.which("temporal")


def temporal_test_server_path() -> str | None:
    return shutil.which("temporal-test-server")
