"""Turn boto3 errors into Temporal failures: transient ones retried with backoff, permanent ones fail fast.

Every failure carries one readable line: `{region} {Operation}: {Code}: {message}`, and its ApplicationError
type is the AWS error code, so workflows/activity_api.PERMANENT_ERROR_TYPES can refuse to retry it.
"""

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

TRANSIENT_CODES = {
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerError",
    "InternalError",
    "InternalFailure",
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
}
CONNECTION_ERRORS = (EndpointConnectionError, ConnectionClosedError, ConnectTimeoutError, ReadTimeoutError)


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code") or "Unknown")


def is_transient(err: Exception) -> bool:
    if isinstance(err, CONNECTION_ERRORS):
        return True
    if isinstance(err, ClientError):
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error_code(err) in TRANSIENT_CODES or status >= 500 or status == 429
    return False


def to_application_error(err: Exception, region: str, operation: str) -> ApplicationError:
    """The ApplicationError an activity raises for a boto3 failure."""
    if isinstance(err, ClientError):
        code = error_code(err)
        message = err.response.get("Error", {}).get("Message") or str(err)
    elif isinstance(err, BotoCoreError):
        code = type(err).__name__
        message = str(err)
    else:
        code = type(err).__name__
        message = str(err)
    transient = is_transient(err)
    return ApplicationError(
        f"{region} {operation}: {code}: {message}",
        type=code,
        non_retryable=not transient,
        # throttling and 5xx are expected and retried: logged quietly, reported only if retries run out
        category=ApplicationErrorCategory.BENIGN if transient else ApplicationErrorCategory.UNSPECIFIED,
    )


def permanent(message: str, kind: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


class aws_call:
    """Context manager translating boto3 errors raised inside it (`with aws_call(region, "StartProjectVersion"):`)."""

    def __init__(self, region: str, operation: str):
        self.region = region
        self.operation = operation

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if value is not None and isinstance(value, (ClientError, BotoCoreError)):
            raise to_application_error(value, self.region, self.operation) from value
        return False
