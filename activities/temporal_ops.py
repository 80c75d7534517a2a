"""Activities that read Temporal itself (through the worker's client)."""

from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError

from workflows import activity_api as api
from workflows.models import RunningOperationInput


class TemporalActivities:
    def __init__(self, client: Client):
        self.client = client

    @activity.defn(name=api.RUNNING_OPERATION)
    async def running_operation(self, inp: RunningOperationInput) -> str:
        """The operation of the workflow holding a version's id (its memo), for a readable conflict message."""
        try:
            description = await self.client.get_workflow_handle(inp.workflow_id).describe()
            memo = await description.memo()
        except RPCError:
            return "another operation"
        return str(memo.get("operation") or "another operation")
