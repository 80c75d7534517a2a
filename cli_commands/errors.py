"""Errors a user can act on become one line on stderr and exit code 1, never a traceback."""

import functools
import sys
from collections.abc import Callable
from typing import Any

import typer

from cli_commands.invocation import cli_command

_INTERRUPT_REPORTED = []


def report_interrupt(message: str) -> None:
    """Say what a Ctrl-C left behind (one line); cli.main then prints nothing more."""
    print(message, file=sys.stderr)
    _INTERRUPT_REPORTED.append(message)


def interrupt_reported() -> bool:
    return bool(_INTERRUPT_REPORTED)


class UserError(Exception):
    """A problem the user can fix; the message is the whole story."""


def _describe(exc: BaseException) -> str | None:
    """One readable line for errors that come from input, configuration or the environment; None = a bug."""
    if isinstance(exc, UserError):
        return str(exc)
    module = type(exc).__module__
    name = type(exc).__name__
    if module.startswith("configuration"):
        return str(exc)
    if module.startswith("temporalio"):
        detail = (str(exc).strip().splitlines() or [name])[0][:200]
        status = getattr(getattr(exc, "status", None), "name", None)
        return (f"Temporal server error ({status or name}): {detail}; a workflow that started keeps running "
                f"on the server ({cli_command('status')}, or the Web UI)")
    if module.startswith(("boto3", "s3transfer")):  # managed transfers wrap the S3 error (S3UploadFailedError)
        return f"AWS transfer failed: {(str(exc).strip().splitlines() or [name])[0][:300]}"
    if module.startswith("botocore"):
        if name in ("NoCredentialsError", "PartialCredentialsError", "NoRegionError"):
            return (f"{exc}: configure AWS credentials (AWS_PROFILE, aws configure or aws sso login), "
                    f"or use the local stack: {cli_command('local up')}")
        if name == "ProfileNotFound":
            return f"{exc} (check AWS_PROFILE)"
        if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"):
            return f"cannot reach AWS: {exc}"
        if name == "ClientError":
            error = getattr(exc, "response", {}).get("Error", {})
            return f"AWS {getattr(exc, 'operation_name', '')} failed: {error.get('Code')}: {error.get('Message')}"
        return f"AWS error: {exc}"
    return None


def fail(message: str) -> None:
    raise UserError(message)


def one_line_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so expected failures print `error: ...` and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # translated below, re-raised when it is a bug
            message = _describe(exc)
            if message is None:
                raise
            print(f"error: {message}", file=sys.stderr)
            raise typer.Exit(1) from None

    return wrapper
