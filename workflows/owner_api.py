"""Names shared by the project's owner (workflows/project.py), its front doors, the submit activity and the CLI.

Pure module: passed through the workflow sandbox by name, importable by the CLI without the workflows.
"""

import re
from dataclasses import asdict
from typing import Any

from workflows.ids import bounded_id
from workflows.models import OPERATIONS, OperationOutcome, OperationSummary, OperationTicket, ProgressRow

PROJECT_WORKFLOW = "ProjectWorkflow"
OPERATION_WORKFLOW = "ProjectOperationWorkflow"
SUBMIT_SIGNAL = "submit"
WITHDRAW_SIGNAL = "withdraw"
OUTCOME_SIGNAL = "operation_finished"
STATE_QUERY = "state"


def project_workflow_id(project: str) -> str:
    """The owner's id: one per project name."""
    return bounded_id(f"project/{project}")


# Ids the system gives its own workflows; a front door started under one (`temporal workflow start --workflow-id`)
# would take the id an owner or one of its own project's version locks needs: the project's work would stall, or
# its regions split. Only the locks of the front door's own project are refused: the CLI's `build/us-east-1/v1`
# (project us-east-1) has the shape of a lock of a project named `build`, and takes it for a moment at worst (that
# region answers CONFLICT). A front door under another's `ID/run` only makes that operation fail as
# OperationConflict: not reserved, so that a version may be named `run`.
OWNER_IDS = re.compile(r"project/.*", re.DOTALL)
LOCK_IDS = re.compile(r"(?P<project>[^/]+)/[a-z]{2}(-[a-z]+)+-[0-9]{1,2}/[^/]+")


def reserved_for(workflow_id: str, project: str) -> str | None:
    """What the system reserves a front door's id for (the front door works on `project`), or None."""
    if OWNER_IDS.fullmatch(workflow_id):
        return "the owners of projects (project/NAME)"
    lock = LOCK_IDS.fullmatch(workflow_id)
    if lock and lock["project"] == project:
        return f"the locks of {project}'s versions ({project}/REGION/VERSION)"
    return None


def operation_workflow_id(requester_id: str | None, project: str, number: int) -> str:
    """The child that runs a ticket: after its front door's id, or numbered for the guard's own stops."""
    if requester_id:
        return bounded_id(f"{requester_id}/run")
    return bounded_id(f"project/{project}/ttl-stop/{number}")


def ticket_from(raw: Any, project: str | None = None) -> OperationTicket | None:
    """A ticket from a raw payload (a signal's or a run's input), or None when it is not one (for `project`).

    Payloads arrive as plain JSON, from our activities or from anyone with `temporal workflow signal`: a wrong
    one must be dropped, never fail a workflow task (which would retry it forever)."""
    if isinstance(raw, OperationTicket):
        raw = asdict(raw)
    if not isinstance(raw, dict):
        return None
    try:
        ticket = OperationTicket(**{k: v for k, v in raw.items() if k in OperationTicket.__dataclass_fields__})
    except TypeError:
        return None
    valid = (
        ticket.operation in OPERATIONS and isinstance(ticket.project, str) and bool(ticket.project)
        and (project is None or ticket.project == project) and isinstance(ticket.request, dict)
        and isinstance(ticket.versions, list) and all(isinstance(v, str) for v in ticket.versions)
        and (ticket.regions is None or (isinstance(ticket.regions, list) and all(isinstance(r, str) for r in ticket.regions)))
        and all(isinstance(v, (str, type(None))) for v in (ticket.requester_id, ticket.requester_run_id, ticket.submitted_at))
    )
    return ticket if valid else None


def outcome_from(raw: Any) -> OperationOutcome | None:
    """An outcome from a raw signal payload, or None."""
    if isinstance(raw, OperationOutcome):
        return raw
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
        return None
    summary = raw.get("summary")
    try:
        if isinstance(summary, dict):
            fields = {k: v for k, v in summary.items() if k in OperationSummary.__dataclass_fields__}
            fields["rows"] = [ProgressRow(**{k: v for k, v in row.items() if k in ProgressRow.__dataclass_fields__})
                              for row in fields.get("rows") or []]
            summary = OperationSummary(**fields)
        elif summary is not None:
            return None
        details = raw.get("error_details")
        return OperationOutcome(raw["key"], summary, raw.get("error"), raw.get("error_type"),
                                details if isinstance(details, dict) else None)
    except (TypeError, AttributeError):
        return None
