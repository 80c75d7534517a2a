"""How a workflow run ended, read from its history: completed or failed (with which type), how many workflow
tasks it took, and whether any workflow task failed (a task that fails is retried by the server forever: the run
never ends, and every later operation on its versions waits for it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

TASK_FAILED = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
TASK_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
# The server refused a task's completion because a signal arrived meanwhile (e.g. a run that ends as a signal lands):
# the worker runs the task again with the signal, by design; nothing in the code failed and it does not repeat.
BENIGN_CAUSES = {WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND}
# Safety net only: a run whose workflow task fails is caught by its history within a second; this bounds a
# run that neither ends nor fails a task (it is then reported as not ended, never as passed).
NOT_ENDED_AFTER_SECONDS = 180


@dataclass
class Ending:
    workflow_id: str
    status: str  # completed | failed | task failed | not ended
    error_type: str | None = None
    message: str = ""
    non_retryable: bool = False
    tasks_completed: int = 0
    task_failures: list[str] = field(default_factory=list)
    result: object = None


async def history_facts(handle: WorkflowHandle) -> tuple[int, list[str]]:
    """Workflow tasks completed, and the failure message of every failed workflow task, over all its runs."""
    completed, failures = 0, []
    async for event in handle.fetch_history_events():
        if event.event_type == TASK_COMPLETED:
            completed += 1
        elif event.event_type == TASK_FAILED:
            attributes = event.workflow_task_failed_event_attributes
            if attributes.cause in BENIGN_CAUSES:
                continue
            cause = WorkflowTaskFailedCause.Name(attributes.cause).removeprefix("WORKFLOW_TASK_FAILED_CAUSE_")
            failures.append(f"workflow task failed ({cause}): {attributes.failure.message}")
    return completed, failures


async def runs(client, workflow_id: str) -> list[list]:
    """The events of every run of a workflow id's latest chain of continue-as-new, oldest run first."""
    chain, run_id = [], None
    while True:
        events = [e async for e in client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history_events()]
        chain.insert(0, events)
        run_id = events[0].workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            return chain


async def exists(handle: WorkflowHandle) -> bool:
    try:
        await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def ending(handle: WorkflowHandle, result_type=None) -> Ending:
    """Wait for the run to end; stop waiting (and terminate it) as soon as one of its workflow tasks failed."""
    result = asyncio.ensure_future(handle.result(result_type=result_type) if result_type else handle.result())
    loop = asyncio.get_running_loop()
    give_up = loop.time() + NOT_ENDED_AFTER_SECONDS
    ended = Ending(handle.id, "not ended")
    try:
        while True:
            done, _ = await asyncio.wait({result}, timeout=0.5)
            if done:
                break
            _, failures = await history_facts(handle)
            if failures or loop.time() > give_up:
                ended.status = "task failed" if failures else "not ended"
                ended.task_failures = failures
                await handle.terminate("test: the run did not end by itself")
                return ended
        try:
            ended.result = result.result()
            ended.status = "completed"
        except WorkflowFailureError as err:
            ended.status = "failed"
            cause = err.cause
            ended.message = str(getattr(cause, "message", cause))
            if isinstance(cause, ApplicationError):
                ended.error_type, ended.non_retryable = cause.type, cause.non_retryable
            else:
                ended.error_type = type(cause).__name__
    finally:
        await asyncio.gather(result, return_exceptions=True)  # ended or terminated by now
    ended.tasks_completed, ended.task_failures = await history_facts(handle)
    return ended
