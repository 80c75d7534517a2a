"""One operation in one region: resolve the versions, run a child per version, delete the project if asked.

Everything that goes wrong here ends up in the RegionResult (never as a failed workflow), so the parent
can report this region next to the others.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    WorkflowAlreadyStartedError,
)

with workflow.unsafe.imports_passed_through():
    from workflows import activity_api as api
    from workflows import polling, quality
    from workflows import search_attributes as sa
    from workflows.common import error_text, report, row_from_failure
    from workflows.models import (
        BUILD,
        DELETE,
        PROJECT_ABSENT,
        REFUSED,
        START,
        DeleteProjectResult,
        EvaluationInput,
        ProgressRow,
        ProjectInput,
        ProjectStatus,
        RegionInput,
        RegionResult,
        ResolvedProject,
        ResolveVersionsInput,
        RunningOperationInput,
        VersionDescription,
        VersionEvaluation,
        VersionInput,
    )
    from workflows.version import MAX_TRANSITION, NEVER_TRAINED, RUNNING, STARTING, ModelVersionWorkflow

ALL_VERSIONS = "*"
# Builds recorded before issue 17 ended with the trained version; since then the region reads its evaluation.
EVALUATION_PATCH = "build-reads-evaluation"


def version_workflow_id(project: str, region: str, version: str) -> str:
    """One id per version whatever the operation: the lock that refuses conflicting operations."""
    return f"{project}/{region}/{version}"


@workflow.defn(name="RegionOperationWorkflow")
class RegionOperationWorkflow:
    def __init__(self) -> None:
        self.inp: RegionInput | None = None
        self.evaluation: dict[str, dict] = {}  # version -> quality.figures (RegionResult.evaluation)

    @workflow.run
    async def run(self, inp: RegionInput) -> RegionResult:
        self.inp = inp
        workflow.set_current_details(f"{inp.operation} {inp.project} in {inp.config.region}")
        try:
            rows = await self.rows()
        except ActivityError as err:
            reason = error_text(err)
            rows = [
                ProgressRow(inp.config.region, v, "ERROR", error=reason, ok=False) for v in (inp.versions or [ALL_VERSIONS])
            ]
            for row in rows:
                await report(inp.report_to, row)
            return self.result(RegionResult(inp.config.region, False, reason, rows))
        failures = [r for r in rows if not r.ok and r.status != REFUSED]  # a refusal is the gate doing its job
        error = "; ".join(f"{r.version}: {r.error or r.status}" for r in failures) or None
        workflow.set_current_details(
            f"{inp.operation} {inp.project} in {inp.config.region}: " + ("done" if not failures else f"failed ({error})")
        )
        return self.result(RegionResult(inp.config.region, not failures, error, rows, self.evaluation))

    def result(self, result: RegionResult) -> RegionResult:
        """Lean runs fail the region's workflow when any of its versions failed (red in the Web UI, like the
        version's own); the rows ride on the failure for the parent's summary."""
        if self.inp.config.lean and not result.ok:
            raise ApplicationError(f"{self.inp.operation} {self.inp.project} in {result.region}: {result.error}",
                                   result, type="RegionFailed", non_retryable=True)
        return result

    async def rows(self) -> list[ProgressRow]:
        inp = self.inp
        region = inp.config.region
        if inp.operation == BUILD:
            row = await self.run_version(inp.versions[0], None)
            if row.ok and row.arn and workflow.patched(EVALUATION_PATCH):
                await self.evaluate(row.version, row.arn)  # a failed read leaves the figures out, not the region
            return [row]
        resolved: ResolvedProject = await workflow.execute_activity(
            api.RESOLVE_VERSIONS, ResolveVersionsInput(region, inp.project, list(inp.versions)),
            result_type=ResolvedProject, **api.SHORT_CALL,
        )
        if resolved.project_arn is None:
            if inp.operation == DELETE:
                return [await self.final(v, "DELETED", PROJECT_ABSENT, True) for v in inp.versions or [ALL_VERSIONS]]
            return [
                await self.final(v, "NOT_FOUND", None, False, error=f"project {inp.project} not found in {region}")
                for v in inp.versions
            ]
        missing = []
        for name in resolved.missing:
            if inp.operation == DELETE:
                missing.append(await self.final(name, "DELETED", "does not exist", True))
            else:
                missing.append(await self.final(name, "NOT_FOUND", None, False, error=f"version {name} not found in {region}"))
        run = self.start_if_good if inp.operation == START and inp.params.min_f1 is not None else self.run_version
        found = await asyncio.gather(*(run(v.version, resolved.project_arn, v) for v in resolved.versions))
        rows = [*found, *missing]
        if inp.operation == DELETE and not inp.versions:
            try:
                rows.append(await self.delete_project(resolved.project_arn, rows))
            except ActivityError as err:
                rows.append(await self.final(ALL_VERSIONS, "ERROR", None, False, error=error_text(err)))
        return rows

    async def final(self, version: str, status: str, detail: str | None, ok: bool, error: str | None = None) -> ProgressRow:
        row = ProgressRow(self.inp.config.region, version, status, detail or "", error, None, ok)
        await report(self.inp.report_to, row)
        return row

    async def run_version(self, version: str, project_arn: str | None, known: VersionDescription | None = None) -> ProgressRow:
        inp = self.inp
        region = inp.config.region
        child_id = version_workflow_id(inp.project, region, version)
        attributes = (
            sa.typed(inp.project, inp.operation, [version], [region]) if inp.config.search_attributes_enabled else None
        )
        try:
            handle = await workflow.start_child_workflow(
                ModelVersionWorkflow.run,
                VersionInput(inp.operation, inp.project, region, version, project_arn, inp.config, inp.params, inp.report_to,
                             known=known if inp.config.lean else None),
                id=child_id,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                memo={"operation": inp.operation, "parent": workflow.info().workflow_id},
                search_attributes=attributes,
                static_summary=f"{inp.operation} {inp.project} {version} in {region}",
            )
        except WorkflowAlreadyStartedError:
            other = await self.running_operation(child_id)
            return await self.final(version, "CONFLICT", None, False, error=f"conflict: {other} in progress")
        try:
            return await handle
        except ChildWorkflowError as err:
            return row_from_failure(err, region, version)

    async def evaluate(self, version: str, arn: str) -> VersionEvaluation | None:
        """The version's evaluation here (quality.FIGURES kept for the summary), or None when it cannot be read."""
        try:
            found: VersionEvaluation = await workflow.execute_activity(
                api.READ_EVALUATION, EvaluationInput(self.inp.config.region, arn), result_type=VersionEvaluation,
                **api.SHORT_CALL,
            )
        except ActivityError as err:
            self.evaluation[version] = {**dict.fromkeys(quality.FIGURES), "error": error_text(err)}
            return None
        self.evaluation[version] = quality.figures(found)
        return found

    async def start_if_good(self, version: str, project_arn: str, known: VersionDescription) -> ProgressRow:
        """Start the version only if its F1 here reaches MinF1 (issue 17.3); else a REFUSED row with its score.

        A version that never trained is left to run_version, which says why it cannot start. One whose
        evaluation cannot be read is an error, not a refusal: nobody judged it.
        """
        if known.status in NEVER_TRAINED or not known.arn:
            return await self.run_version(version, project_arn, known)
        found = await self.evaluate(version, known.arn)
        if found is None:
            reason = self.evaluation[version]["error"]
            return await self.final(version, "ERROR", None, False, error=f"cannot read the evaluation: {reason}")
        why = quality.shortfall(found.f1, self.inp.params.min_f1)
        if why is None:
            return await self.run_version(version, project_arn, known)
        if known.status in (RUNNING, STARTING):
            why += f"; already {known.status}, left as it is"
        row = ProgressRow(self.inp.config.region, version, REFUSED, "", why, known.arn, False)
        await report(self.inp.report_to, row)
        return row

    async def running_operation(self, workflow_id: str) -> str:
        """Which operation holds the version (read from the running child's memo), for the conflict message."""
        try:
            return await workflow.execute_activity(
                api.RUNNING_OPERATION, RunningOperationInput(workflow_id), result_type=str, **api.LOCAL_CALL
            )
        except ActivityError:
            return "another operation"

    async def delete_project(self, project_arn: str, rows: list[ProgressRow]) -> ProgressRow:
        """Hierarchical delete: only once every version is gone, then wait until the project is gone too."""
        inp = self.inp
        region = inp.config.region
        kept = [r.version for r in rows if not r.ok]
        if kept:
            return await self.final(
                ALL_VERSIONS, "KEPT", None, False, error=f"project kept: version(s) {', '.join(kept)} not deleted"
            )
        await report(inp.report_to, ProgressRow(region, ALL_VERSIONS, "DELETING", "deleting project", None, project_arn))
        deleted: DeleteProjectResult = await workflow.execute_activity(
            api.DELETE_PROJECT, ProjectInput(region, project_arn), result_type=DeleteProjectResult, **api.SHORT_CALL
        )
        started = workflow.now()
        polls = 0
        while True:
            status: ProjectStatus = await workflow.execute_activity(
                api.DESCRIBE_PROJECT, ProjectInput(region, project_arn), result_type=ProjectStatus, **api.SHORT_CALL
            )
            if not status.exists:
                detail = f"project deleted ({deleted.datasets_deleted} dataset(s) removed)"
                return await self.final(ALL_VERSIONS, "DELETED", detail, True)
            elapsed = workflow.now() - started
            if elapsed > MAX_TRANSITION:
                return await self.final(
                    ALL_VERSIONS, "TIMED_OUT", None, False, error=f"project still {status.status} after {elapsed}"
                )
            ctx = polling.PollContext(polling.PROJECT_DELETING, elapsed.total_seconds(), polls,
                                      inp.config.poll_interval_seconds)
            await workflow.sleep(timedelta(seconds=polling.next_delay(ctx, inp.config.poll_policy)))
            polls += 1
