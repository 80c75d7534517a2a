"""The build's dataset preflight, workflow side: run the activity, fail the build when the dataset is rejected.

A parent calls `require_trainable_dataset` after reading the regional data and before any region child starts,
so a dataset that Custom Labels would refuse is refused once, in seconds, with nothing created anywhere (issue 17).
Runs recorded before the check existed replay without it (workflow.patched(PATCH) in the parent).
Pure: sandbox-safe, no boto3.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from configuration.dataset_rules import findings_message
from workflows import activity_api as api
from workflows.common import error_text
from workflows.models import DatasetReport, PreflightInput, RegionalData

PATCH = "dataset-preflight"
REJECTED = "DatasetRejected"
COULD_NOT_CHECK = "DatasetPreflightFailed"
MAX_SHOWN = 10  # finding lines in the failure message; the rest is counted


def rejection_message(uri: str, report: DatasetReport, shown: int = MAX_SHOWN) -> str:
    """A headline, then one finding per line (at most `shown`), then "and N more"."""
    headline = f"dataset {uri} rejected, nothing created: {report.findings_total} problem(s)"
    return findings_message(headline, report.findings, report.findings_total, shown)


async def require_trainable_dataset(data: RegionalData, manifest_key: str) -> DatasetReport:
    """The preflight's report when the dataset can be trained; a non-retryable DatasetRejected failure otherwise."""
    uri = f"s3://{data.management_bucket}/{manifest_key}"
    try:
        report: DatasetReport = await workflow.execute_activity(
            api.PREFLIGHT_DATASET,
            PreflightInput(data.management_region, data.management_bucket, manifest_key, list(data.regions)),
            result_type=DatasetReport,
            summary=f"dataset preflight of {uri}",
            **api.LONG_CALL,
        )
    except ActivityError as err:
        raise ApplicationError(f"dataset preflight of {uri} could not run: {error_text(err)}",
                               type=COULD_NOT_CHECK, non_retryable=True) from None
    if report.rejected:
        raise ApplicationError(rejection_message(uri, report), report, type=REJECTED, non_retryable=True)
    return report
