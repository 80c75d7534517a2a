"""Names shared by the project's owner (workflows/project.py), its front doors, the submit activity and the CLI.

Pure module: passed through the workflow sandbox by name, importable by the CLI without the workflows.
"""

from workflows.ids import bounded_id

PROJECT_WORKFLOW = "ProjectWorkflow"
OPERATION_WORKFLOW = "ProjectOperationWorkflow"
SUBMIT_SIGNAL = "submit"
WITHDRAW_SIGNAL = "withdraw"
OUTCOME_SIGNAL = "operation_finished"
STATE_QUERY = "state"


def project_workflow_id(project: str) -> str:
    """The owner's id: one per project name."""
    return bounded_id(f"project/{project}")


def operation_workflow_id(requester_id: str | None, project: str, number: int) -> str:
    """The child that runs a ticket: after its front door's id, or numbered for the guard's own stops."""
    if requester_id:
        return bounded_id(f"{requester_id}/run")
    return bounded_id(f"project/{project}/ttl-stop/{number}")
