"""Helpers shared by the workflows: readable errors, progress reporting, summaries. Pure (sandbox-safe)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, TimeoutError

from workflows import quality
from workflows.models import OperationSummary, ProgressRow

REPORT_SIGNAL = "report"
SIBLINGS_FINISHED_SIGNAL = "siblings_finished"


def error_text(err: BaseException) -> str:
    """The most specific readable message of a Temporal failure chain (activity -> ApplicationError ...)."""
    current: BaseException | None = err
    last = str(err)
    while current is not None:
        if isinstance(current, ApplicationError):
            return current.message or current.type or last
        if isinstance(current, TimeoutError):
            return f"timed out ({current.type.name.lower().replace('_', '-') if current.type else 'timeout'})"
        if isinstance(current, (ActivityError, ChildWorkflowError)):
            last = str(current)
            current = current.cause
            continue
        last = str(current) or type(current).__name__
        current = getattr(current, "cause", None)
    return last


def failure_type(err: BaseException) -> str | None:
    """The type of the first ApplicationError in a failure chain (OperationFailed, InvalidInput, ...)."""
    current: BaseException | None = err
    while current is not None:
        if isinstance(current, ApplicationError):
            return current.type
        current = getattr(current, "cause", None)
    return None


def failure_details(err: BaseException, error_type: str) -> dict | None:
    """The first detail (a dataclass as a dict) of the ApplicationError of that type in a failure chain."""
    current: BaseException | None = err
    while current is not None:
        if isinstance(current, ApplicationError) and current.type == error_type and current.details:
            detail = current.details[0]
            return detail if isinstance(detail, dict) else None
        current = getattr(current, "cause", None)
    return None


def summary_from_failure(err: BaseException) -> OperationSummary | None:
    """The OperationSummary an operation that failed as a whole (OperationFailed) carries, if any."""
    detail = failure_details(err, "OperationFailed")
    if detail is None:
        return None
    fields = {k: v for k, v in detail.items() if k in OperationSummary.__dataclass_fields__}
    fields["rows"] = [ProgressRow(**{k: v for k, v in r.items() if k in ProgressRow.__dataclass_fields__})
                      for r in fields.get("rows", [])]
    return OperationSummary(**fields)


def row_from_failure(err: BaseException, region: str, version: str) -> ProgressRow:
    """The row a failed per-version child attached to its ApplicationError, else one made from the message."""
    current: BaseException | None = err
    while current is not None:
        if isinstance(current, ApplicationError) and current.details:
            detail = current.details[0]
            if isinstance(detail, dict) and "region" in detail:
                return ProgressRow(**{k: v for k, v in detail.items() if k in ProgressRow.__dataclass_fields__})
        current = getattr(current, "cause", None)
    return ProgressRow(region=region, version=version, status="ERROR", error=error_text(err), ok=False)


async def report(report_to: str, row: ProgressRow) -> None:
    """Signal the parent that answers `progress`; a parent that is gone must not fail the work itself.

    Runs of the project's owner pass no parent (`report_to` empty): their outcome travels in the results.
    """
    if not report_to:
        return
    try:
        await workflow.get_external_workflow_handle(report_to).signal(REPORT_SIGNAL, row)
    except Exception as exc:  # noqa: BLE001 - best effort, the result carries the same row
        workflow.logger.warning("cannot report progress to %s: %s", report_to, exc)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def summary_text(summary: OperationSummary) -> tuple[str, str]:
    """SNS subject (<= 100 chars) and body: a per-region, per-version table, then the JSON summary.

    A summary with evaluations (a build, a gated start) gets an F1 column and each version's spread across
    regions; regions refused by the quality gate or never launched by the rollout are listed with their reason.
    """
    held = len(summary.refused) + len(summary.not_attempted)
    total = len(summary.succeeded) + len(summary.failed) + held
    verdict = "succeeded" if not summary.failed else f"failed in {len(summary.failed)} of {total} regions"
    extra = [f"{len(found)} {word}" for found, word in ((summary.refused, "refused"),
                                                        (summary.not_attempted, "not attempted")) if found]
    if extra and not summary.failed:
        verdict = f"succeeded in {len(summary.succeeded)} of {total} regions"
    subject = f"Global Custom Labels: {summary.operation} {summary.project} {', '.join([verdict, *extra])}"[:100]
    scored = bool(summary.evaluation)
    widths = (16, 24, 22)
    lines = [
        f"{summary.operation} {summary.project}: {len(summary.succeeded)}/{total} regions succeeded"
        + "".join(f", {text}" for text in extra),
        "",
        f"{'region':<{widths[0]}} {'version':<{widths[1]}} {'status':<{widths[2]}} " + ("F1     " if scored else "")
        + "arn / error",
    ]
    for row in summary.rows:
        tail = row.error or row.arn or row.detail or ""
        f1 = (summary.evaluation.get(row.version, {}).get(row.region) or {}).get("f1")
        score = (f"{f1:.3f}  " if f1 is not None else "-      ") if scored else ""
        lines.append(f"{row.region:<{widths[0]}} {row.version:<{widths[1]}} {row.status:<{widths[2]}} {score}{tail}")
    for region, reason in summary.failed.items():
        lines.append(f"FAILED {region}: {reason}")
    for region, reason in summary.refused.items():
        lines.append(f"REFUSED {region}: {reason}")
    for region, reason in summary.not_attempted.items():
        lines.append(f"NOT ATTEMPTED {region}: {reason}")
    for version, spread in quality.spreads(summary.evaluation).items():
        lines.append(f"{version}: {spread.text()}")
    lines += ["", json.dumps(asdict(summary), sort_keys=True)]
    return subject, "\n".join(lines)
