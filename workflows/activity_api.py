"""Activity names, timeouts and retry policies: the contract between workflows/ and activities/.

Workflows call activities by these names (never by importing activities/, which imports boto3), and the
workflow tests register fakes under the same names.
"""

from datetime import timedelta

from temporalio.common import RetryPolicy

GET_REGIONAL_DATA = "get_regional_data"
CHECK_REPLICATION = "check_dataset_replication"
WRITE_REGIONAL_MANIFEST = "write_regional_manifest"
ENSURE_PROJECT = "ensure_project"
CREATE_VERSION = "create_project_version"
DESCRIBE_VERSION = "describe_project_version"
RESOLVE_VERSIONS = "resolve_project_versions"
START_VERSION = "start_project_version"
STOP_VERSION = "stop_project_version"
DELETE_VERSION = "delete_project_version"
DELETE_PROJECT = "delete_project"
DESCRIBE_PROJECT = "describe_project"
PUBLISH = "publish_notification"
RUNNING_OPERATION = "running_operation"
SUBMIT_OPERATION = "submit_operation"
AWAIT_VERSION_STATUS = "await_version_status"
STILL_WAITING = "StillWaiting"  # await_version_status: not yet; retried after the schedule's delay
PREFLIGHT_DATASET = "preflight_dataset"
READ_EVALUATION = "read_evaluation"
# adopt (activities/adopt_source.py, activities/adopt_copy.py)
DESCRIBE_ADOPT_SOURCE = "describe_adopt_source"
STAGE_ADOPTION = "stage_adopted_dataset"
COPY_ADOPTED_IMAGES = "copy_adopted_images"
DESCRIBE_EVALUATION = "describe_version_evaluation"

# Error types (ApplicationError.type) the activities raise for permanent failures; retried never.
PERMANENT_ERROR_TYPES = [
    "InvalidParameterException",
    "AccessDeniedException",
    "AccessDenied",
    "ValidationException",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "ResourceAlreadyExistsException",
    "LimitExceededException",
    "ServiceQuotaExceededException",
    "InvalidS3ObjectException",
    "InvalidManifestException",
    "NoSuchBucket",
    "NoSuchKey",
    "ManifestNotFound",
    "RegionNotConfigured",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "NotFound",
    "AuthorizationError",
    "InvalidParameter",
    "DatasetRejected",
]

# Transient AWS errors (throttling, 5xx, connection errors) are retried with exponential backoff for about
# 15 minutes: long enough to ride out a throttling storm, short enough that a region that is down is
# reported as failed while the other regions carry on.
AWS_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=12,
    non_retryable_error_types=PERMANENT_ERROR_TYPES,
)

SHORT_CALL = {"start_to_close_timeout": timedelta(minutes=2), "retry_policy": AWS_RETRY}

# Manifest streaming and replication checks read every line of a manifest: heartbeat, long timeout.
LONG_CALL = {
    "start_to_close_timeout": timedelta(hours=2),
    "heartbeat_timeout": timedelta(minutes=2),
    "retry_policy": AWS_RETRY,
}

# Copying a batch of images: heartbeats as images finish, so a worker that dies is noticed within 30 s and the
# retry resumes from the last heartbeat (the images already copied are found in place, never copied twice).
COPY_CALL = {
    "start_to_close_timeout": timedelta(hours=2),
    "heartbeat_timeout": timedelta(seconds=30),
    "retry_policy": AWS_RETRY,
}

# Reading configuration is local to the worker; publishing must not hold a finished operation forever.
LOCAL_CALL = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_attempts=3, non_retryable_error_types=PERMANENT_ERROR_TYPES),
}
NOTIFY_CALL = {
    "start_to_close_timeout": timedelta(minutes=1),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=1),
        maximum_attempts=8,
        non_retryable_error_types=PERMANENT_ERROR_TYPES,
    ),
}
