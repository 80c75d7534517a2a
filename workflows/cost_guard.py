"""Cost guard: stop what a start started once its TTL expires (Rekognition bills every running hour).

Started by StartModelWorkflow (TtlHours) as an abandoned child with id `ttl/{project}/{versions}`. It sleeps
on a durable timer, publishes a warning WarnMinutesBefore the expiry, runs StopModelWorkflow and publishes
the outcome. A later start with a TTL re-arms it (`reschedule` signal); `disarm` cancels it; the query
`expires_at` lets the CLI show the time left. A handful of events in all: no continue-as-new needed.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ChildWorkflowError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from workflows import activity_api as api
    from workflows.common import error_text, iso, parse_iso
    from workflows.ids import bounded_id
    from workflows.models import (
        CostGuardInput,
        OperationSummary,
        PublishInput,
        RegionalData,
        RegionalDataRequest,
        StopModelInput,
    )


def cost_guard_workflow_id(project: str, versions: list[str]) -> str:
    return bounded_id(f"ttl/{project}/{','.join(versions)}")


def stop_workflow_id(project: str, versions: list[str]) -> str:
    return bounded_id(f"stop/{project}/{','.join(versions)}")


@workflow.defn(name="CostGuardWorkflow")
class CostGuardWorkflow:
    def __init__(self) -> None:
        self.inp: CostGuardInput | None = None
        self.expires: str | None = None
        self.disarmed = False
        self.changed = False
        self.state = "armed"

    @workflow.query(name="expires_at")
    def expires_at(self) -> str | None:
        """ISO time the versions will be stopped, or None once disarmed or done."""
        return None if self.disarmed or self.state in ("stopping", "done") else self.expires

    @workflow.query(name="guard_state")
    def guard_state(self) -> str:
        return self.state

    @workflow.signal(name="reschedule")
    def reschedule(self, guard: CostGuardInput) -> None:
        """A new start with a TTL: the later of the two expiries wins, and the warning is sent again."""
        self.expires = guard.expires_at
        if self.inp is not None:
            merged_regions = sorted(set(self.inp.Regions or []) | set(guard.Regions or []))
            self.inp.Regions = merged_regions or None
        self.changed = True

    @workflow.signal(name="disarm")
    def disarm(self) -> None:
        self.disarmed = True

    @workflow.run
    async def run(self, inp: CostGuardInput) -> str:
        self.inp = inp
        self.expires = inp.expires_at or iso(workflow.now() + timedelta(hours=inp.TtlHours))
        warned_for = None
        while True:
            self.changed = False
            expires = parse_iso(self.expires)
            warn_at = expires - timedelta(minutes=inp.WarnMinutesBefore)
            workflow.set_current_details(f"stops {inp.ProjectName} {','.join(inp.VersionNames)} at {self.expires}")
            target = warn_at if warned_for != self.expires and workflow.now() < warn_at else expires
            if workflow.now() < target:
                try:
                    await workflow.wait_condition(
                        lambda: self.changed or self.disarmed, timeout=target - workflow.now(), timeout_summary="ttl"
                    )
                except TimeoutError:
                    pass
            if self.disarmed:
                self.state = "disarmed"
                return "disarmed"
            if self.changed:
                continue
            if target == warn_at:
                warned_for = self.expires
                await self.publish(
                    f"Global Custom Labels: {inp.ProjectName} stops in {inp.WarnMinutesBefore:g} min",
                    f"Cost guard: {inp.ProjectName} {', '.join(inp.VersionNames)} will be stopped at {self.expires} "
                    f"in {', '.join(inp.Regions or ['every region'])}. Start it again with a new TTL to keep it running.",
                )
                continue
            break
        self.state = "stopping"
        outcome = await self.stop()
        self.state = "done"
        await self.publish(f"Global Custom Labels: {inp.ProjectName} stopped by the cost guard"[:100], outcome)
        return outcome

    async def stop(self) -> str:
        inp = self.inp
        try:
            summary: OperationSummary = await workflow.execute_child_workflow(
                "StopModelWorkflow",
                StopModelInput(ProjectName=inp.ProjectName, VersionNames=list(inp.VersionNames), Regions=inp.Regions),
                id=stop_workflow_id(inp.ProjectName, inp.VersionNames),
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                result_type=OperationSummary,
                static_summary=f"TTL expired: stop {inp.ProjectName} {','.join(inp.VersionNames)}",
            )
        except WorkflowAlreadyStartedError:
            return "TTL expired; a stop of these versions is already in progress"
        except ChildWorkflowError as err:
            return f"TTL expired; stop failed: {error_text(err)}"
        failed = "; ".join(f"{r}: {why}" for r, why in summary.failed.items())
        return f"TTL expired; stopped in {', '.join(summary.succeeded) or 'no region'}" + (
            f"; failed in {failed}" if failed else ""
        )

    async def publish(self, subject: str, message: str) -> None:
        try:
            data: RegionalData = await workflow.execute_activity(
                api.GET_REGIONAL_DATA, RegionalDataRequest(self.inp.Regions), result_type=RegionalData, **api.LOCAL_CALL
            )
            await workflow.execute_activity(api.PUBLISH, PublishInput(data.sns_topic_arn, subject, message), **api.NOTIFY_CALL)
        except ActivityError as err:
            workflow.logger.warning("cost guard notification failed: %s", error_text(err))
