"""Activities that talk to Temporal itself (through the worker's client)."""

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from workflows import activity_api as api
from workflows import search_attributes
from workflows.models import ProjectState, RunningOperationInput, SubmitInput, SubmitResult
from workflows.owner_api import PROJECT_WORKFLOW, SUBMIT_SIGNAL, project_workflow_id

OWNER_OPERATION = "own"  # the Operation search attribute of a project's owner
OWNER_ID_TAKEN = "ProjectOwnerIdTaken"


class TemporalActivities:
    def __init__(self, client: Client, search_attributes_enabled: bool = False, regions: list[str] | None = None):
        self.client = client
        self.search_attributes_enabled = search_attributes_enabled
        self.regions = list(regions or [])

    @activity.defn(name=api.RUNNING_OPERATION)
    async def running_operation(self, inp: RunningOperationInput) -> str:
        """The operation of the workflow holding a version's id (its memo), for a readable conflict message."""
        try:
            description = await self.client.get_workflow_handle(inp.workflow_id).describe()
            memo = await description.memo()
        except RPCError:
            return "another operation"
        return str(memo.get("operation") or "another operation")

    @activity.defn(name=api.SUBMIT_OPERATION)
    async def submit_operation(self, inp: SubmitInput) -> SubmitResult:
        """Hand a front door's ticket to the project's owner, starting the owner if it is not running.

        One signal-with-start: atomic, so a ticket is never lost between "is the owner there?" and "signal it";
        a retried attempt delivers the same ticket again, which the owner drops as a duplicate.
        """
        project = inp.ticket.project
        owner_id = project_workflow_id(project)
        attributes = (search_attributes.typed(project, OWNER_OPERATION, [], [])
                      if self.search_attributes_enabled else None)
        handle = await self.client.start_workflow(
            PROJECT_WORKFLOW, ProjectState(project), id=owner_id, task_queue=inp.task_queue,
            start_signal=SUBMIT_SIGNAL, start_signal_args=[inp.ticket],
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE, search_attributes=attributes,
            static_summary=f"owner of project {project}: runs its operations in order, keeps its cost guard",
        )
        await self.ensure_owner_holds_its_id(owner_id, handle.result_run_id)
        return SubmitResult(owner_id, self.regions, self.search_attributes_enabled)

    async def ensure_owner_holds_its_id(self, owner_id: str, run_id: str | None) -> None:
        """Refuse, for good, when the run that got the ticket is not an owner.

        Anyone may start any workflow type under the owner's id (`temporal workflow start --workflow-id
        project/NAME`); signal-with-start then signals that run, which has no `submit` handler, and the front door
        would wait for an answer that never comes.
        """
        description = await self.client.get_workflow_handle(owner_id, run_id=run_id).describe()
        if description.workflow_type != PROJECT_WORKFLOW:
            raise ApplicationError(
                f"the workflow id {owner_id} belongs to the project's owner ({PROJECT_WORKFLOW}), but a "
                f"{description.workflow_type} run holds it; end that run (temporal workflow terminate "
                f"--workflow-id {owner_id}) and start again under another id",
                type=OWNER_ID_TAKEN, non_retryable=True)

