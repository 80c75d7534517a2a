"""The four seed state machines as parent workflows: one RegionOperationWorkflow child per region.

Each parent reads the regional data through an activity (the seed's "Set Regional Data"), runs every region
in parallel, answers the `progress` query from the rows its children signal, publishes one SNS message with
the per-region, per-version table and returns the same summary. One region failing never cancels the
others; the workflow itself fails only when asked to be Strict or when every region failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    WorkflowAlreadyStartedError,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from configuration.names import InvalidNameError, validate_name
    from workflows import activity_api as api
    from workflows import inputs, polling, preflight, rollout
    from workflows import search_attributes as sa
    from workflows.common import SIBLINGS_FINISHED_SIGNAL, error_text, failure_details, iso, summary_text
    from workflows.cost_guard import CostGuardWorkflow, cost_guard_workflow_id
    from workflows.ids import child_id
    from workflows.inputs import invalid_input
    from workflows.models import (
        BUILD,
        DELETE,
        NOT_ATTEMPTED,
        PROJECT_ABSENT,
        REFUSED,
        START,
        STOP,
        BuildModelInput,
        CommonOptions,
        CostGuardInput,
        DeleteModelInput,
        OperationOutcome,
        OperationParams,
        OperationSummary,
        OperationTicket,
        ProgressRow,
        PublishInput,
        RegionalData,
        RegionalDataRequest,
        RegionConfig,
        RegionInput,
        RegionResult,
        StartModelInput,
        StopModelInput,
        SubmitInput,
        SubmitResult,
    )
    from workflows.owner_api import (
        OPERATION_WORKFLOW,
        OUTCOME_SIGNAL,
        WITHDRAW_SIGNAL,
        outcome_from,
        project_workflow_id,
        reserved_for,
        ticket_from,
    )
    from workflows.region import ALL_VERSIONS, RegionOperationWorkflow, version_workflow_id

# Runs recorded before the project's owner existed ran their regions themselves; newer front doors hand the
# request to the owner (workflows/project.py) and wait for its outcome.
PROJECT_OWNER_PATCH = "project-owner"
# A front door re-submits its ticket this often while it waits: the owner drops the duplicate, or, if someone
# terminated the owner meanwhile, a new owner takes the ticket (nothing waits forever for a lost owner).
RESUBMIT_EVERY = timedelta(hours=1)
# A delete that finds the project in no region at all (a typo'd name) fails instead of reporting DELETED everywhere.
DELETE_OF_NOTHING_PATCH = "delete-of-nothing-fails"
# A front door under an id the system reserves (an owner's, a version lock of its project) fails at once.
RESERVED_IDS_PATCH = "reserved-ids-refused"


def decode_input(cls: type, raw: tuple) -> Any:
    """The parent's dataclass from the raw JSON arguments it was started with (validated by workflows/inputs.py).

    Parents take `*raw: Any` rather than their dataclass: a payload the SDK cannot decode into the dataclass, or
    a number of arguments run() does not take, would fail the workflow task before run() starts, and the server
    retries that forever (the execution stays Running). Validating here turns any wrong input into an
    InvalidInput failure at once. Python callers may still pass the dataclass: the default converter sends it as
    the same JSON object.
    """
    return inputs.parse_arguments(cls, raw)


class OperationWorkflow:
    """Shared body of the four parents (progress query, report signal, fan-out, summary, notification)."""

    operation = ""

    def __init__(self) -> None:
        self.project = ""
        self.rows: dict[tuple[str, str], ProgressRow] = {}
        self.done = False
        self.poll_policy = polling.HISTORY_DEFAULT_POLICY
        self.nudged: set[tuple[str, str]] = set()
        self.data_topic = ""
        self.start_input = None
        self.lean = False  # a run of the project's owner (ProjectOperationWorkflow): see RegionConfig.lean
        self.outcome: OperationOutcome | None = None
        self.ticket_key: str | None = None
        self.searchable = False
        self.phase = "running"
        self.ttl_default: float | None = None  # the settings' inference_ttl_hours (RegionalData), for starts

    @workflow.query(name="progress")
    def progress(self) -> dict:
        return {
            "operation": self.operation,
            "project": self.project,
            "rows": [asdict(r) for r in self.rows.values()],
            "done": self.done,
            "phase": self.phase,
        }

    @workflow.signal(name=OUTCOME_SIGNAL)
    def operation_finished(self, raw: Any) -> None:
        """The project's owner ran this front door's ticket (ignored unless it is this run's own)."""
        outcome = outcome_from(raw)
        if outcome is not None and outcome.key == self.ticket_key:
            self.outcome = outcome

    @workflow.signal(name="report")
    async def report(self, row: ProgressRow) -> None:
        """A child's status change. A final row is never overwritten by a late non-final one."""
        key = (row.region, row.version)
        current = self.rows.get(key)
        if current is not None and current.final and not row.final:
            return
        self.rows[key] = row
        self.update_details()
        if row.ok and self.poll_policy != "fixed":
            await self.nudge_siblings(row)

    async def nudge_siblings(self, row: ProgressRow) -> None:
        """Tell the same version in other regions that one region finished (only smarter schedules use it)."""
        for (region, version), other in list(self.rows.items()):
            key = (region, version)
            if version != row.version or region == row.region or other.final or key in self.nudged:
                continue
            self.nudged.add(key)
            handle = workflow.get_external_workflow_handle(version_workflow_id(self.project, region, version))
            try:
                await handle.signal(SIBLINGS_FINISHED_SIGNAL)
            except Exception as exc:  # noqa: BLE001 - the child may have finished meanwhile
                workflow.logger.info("cannot nudge %s/%s: %s", region, version, exc)

    def update_details(self) -> None:
        finished = sum(1 for r in self.rows.values() if r.final)
        busy = [f"{r.region} / {r.version}: {r.status}" for r in self.rows.values() if not r.final][:3]
        workflow.set_current_details(
            f"{self.operation} {self.project}: {finished}/{len(self.rows)} done" + (f"; {', '.join(busy)}" if busy else "")
        )

    async def execute(
        self, project: str, versions: list[str], options: CommonOptions, params: OperationParams, max_training_hours=None
    ) -> OperationSummary:
        self.project = project
        try:
            validate_name("project name", project)
            for version in versions:
                validate_name("version name", version)
            if options.PollPolicy is not None:
                polling.validate_policy(options.PollPolicy)
        except (InvalidNameError, polling.UnknownPollPolicyError) as exc:
            raise invalid_input(str(exc)) from None
        if options.PollIntervalSeconds is not None and options.PollIntervalSeconds < 1:
            raise invalid_input("PollIntervalSeconds must be at least 1")
        if len(set(versions)) != len(versions):
            raise invalid_input(f"version names listed twice: {versions}")
        try:
            data: RegionalData = await workflow.execute_activity(
                api.GET_REGIONAL_DATA, RegionalDataRequest(options.Regions), result_type=RegionalData, **api.LOCAL_CALL
            )
        except ActivityError as err:
            raise ApplicationError(error_text(err), type="InvalidInput", non_retryable=True) from None
        self.data_topic = data.sns_topic_arn
        self.ttl_default = data.inference_ttl_hours
        # issue 17.2: canary, failure tolerance, waves (runs of the project's owner; InvalidInput before anything)
        plan = rollout.plan(options, data) if self.lean and self.operation == BUILD else rollout.Rollout()
        dataset = None
        if self.operation == BUILD and workflow.patched(preflight.PATCH):  # issue 17: nothing trains a bad dataset
            dataset = await preflight.require_trainable_dataset(data, params.manifest_key)
        # the run's input, else the settings (recorded in this activity's result, so replays see the same)
        self.poll_policy = options.PollPolicy or data.poll_policy or polling.HISTORY_DEFAULT_POLICY
        if data.search_attributes_enabled:
            workflow.upsert_search_attributes(sa.updates(project, self.operation, versions, data.regions))
        for region in data.regions:
            for version in versions or [ALL_VERSIONS]:
                self.rows[(region, version)] = ProgressRow(region, version)
        self.update_details()
        if params.min_inference_units is None:
            params.min_inference_units = data.min_inference_units
        if params.max_inference_units is None:
            params.max_inference_units = data.max_inference_units
        def launch(region: str):
            return self.run_region(region, data, project, versions, options, params, max_training_hours)

        if plan.staged:
            results = await rollout.roll_out(plan, list(data.regions), versions[0], launch)
        else:  # every region at once, as every recorded history did
            results = await asyncio.gather(*(launch(region) for region in data.regions))
        summary = self.summarize(project, results)
        summary.dataset_warnings = dataset.warnings if dataset else []
        return await self.finish(summary, options.Strict)

    async def run_region(self, region, data: RegionalData, project, versions, options, params, max_training_hours):
        config = RegionConfig(
            region=region,
            management_bucket=data.management_bucket,
            training_bucket=data.training_buckets[region],
            output_bucket=data.output_buckets[region],
            poll_interval_seconds=options.PollIntervalSeconds or data.poll_interval_seconds,
            management_region=data.management_region,
            max_training_hours=max_training_hours or data.max_training_hours,
            poll_policy=self.poll_policy,
            search_attributes_enabled=data.search_attributes_enabled,
            lean=self.lean,
        )
        me = workflow.info().workflow_id
        try:
            result = await workflow.execute_child_workflow(
                RegionOperationWorkflow.run,
                RegionInput(self.operation, project, list(versions), config, params, "" if self.lean else me),
                id=child_id(me, region),
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                search_attributes=(
                    sa.typed(project, self.operation, versions, [region]) if data.search_attributes_enabled else None
                ),
                static_summary=f"{self.operation} {project} {','.join(versions) or ALL_VERSIONS} in {region}",
            )
        except (ChildWorkflowError, WorkflowAlreadyStartedError) as err:
            failed = failure_details(err, "RegionFailed")  # lean runs: the region's rows ride on its failure
            if failed is not None:
                result = RegionResult(region, False, failed.get("error"),
                                      [ProgressRow(**row) for row in failed.get("rows", [])], failed.get("evaluation") or {})
                await self.after_region(result)
                return result
            reason = error_text(err)
            for version in versions or [ALL_VERSIONS]:
                self.rows[(region, version)] = ProgressRow(region, version, "ERROR", error=reason, ok=False)
            return RegionResult(region, False, reason, [self.rows[(region, v)] for v in versions or [ALL_VERSIONS]])
        await self.after_region(result)
        return result

    async def after_region(self, result: RegionResult) -> None:
        """Lean runs learn a region's outcome from its result (no sibling nudges: their polls are activity
        retries, which a signal cannot shorten, and a nudge is a billed signal)."""
        if not self.lean:
            return
        for row in result.rows:
            self.rows[(row.region, row.version)] = row
        self.update_details()

    def summarize(self, project: str, results: list[RegionResult]) -> OperationSummary:
        """Each region succeeded, failed, was refused by the quality gate (nothing failed there) or was never
        launched (rollout); the evaluations read by the regions, per version and region."""
        rows: list[ProgressRow] = []
        summary = OperationSummary(operation=self.operation, project=project)
        for result in results:
            for row in result.rows:
                self.rows[(row.region, row.version)] = row
            rows.extend(result.rows)
            statuses = {row.status for row in result.rows}
            refusals = [row for row in result.rows if row.status == REFUSED]
            if result.rows and statuses == {NOT_ATTEMPTED}:
                summary.not_attempted[result.region] = result.error or "not attempted"
            elif not result.ok:
                summary.failed[result.region] = result.error or "failed"
            elif refusals:
                summary.refused[result.region] = "; ".join(
                    row.error if len(result.rows) == 1 else f"{row.version}: {row.error}" for row in refusals)
            else:
                summary.succeeded.append(result.region)
            for version, figures in result.evaluation.items():
                summary.evaluation.setdefault(version, {})[result.region] = figures
        summary.rows = rows
        self.update_details()
        return summary

    async def finish(self, summary: OperationSummary, strict: bool) -> OperationSummary:
        subject, message = summary_text(summary)
        try:
            await workflow.execute_activity(
                api.PUBLISH, PublishInput(self.data_topic, subject, message), **api.NOTIFY_CALL
            )
        except ActivityError as err:
            summary.notification_error = error_text(err)
        await workflow.wait_condition(workflow.all_handlers_finished)
        self.done = True
        return self.verdict(summary, strict)

    def verdict(self, summary: OperationSummary, strict: bool) -> OperationSummary:
        """The summary, or OperationFailed carrying it when asked to be Strict or when nothing succeeded.

        A region refused by the quality gate or never launched by the rollout is not a failure, but a run where
        nothing succeeded at all (every region refused, say) did not do what was asked; Strict wants everything.
        """
        if (self.operation == DELETE and summary.rows and all(row.detail == PROJECT_ABSENT for row in summary.rows)
                and workflow.patched(DELETE_OF_NOTHING_PATCH)):
            regions = sorted({row.region for row in summary.rows})
            raise ApplicationError(
                f"delete {summary.project}: the project does not exist in any of the {len(regions)} region(s) "
                f"({', '.join(regions)}); nothing to delete", summary, type="ProjectNotFound", non_retryable=True)
        skipped = f"; {len(summary.not_attempted)} region(s) not attempted" if summary.not_attempted else ""
        if summary.failed and (strict or not summary.succeeded):
            why = "; ".join(f"{region}: {reason}" for region, reason in summary.failed.items())
            raise ApplicationError(
                f"{self.operation} {summary.project} failed in {len(summary.failed)} region(s): {why}{skipped}",
                summary,
                type="OperationFailed",
                non_retryable=True,
            )
        held = {**summary.refused, **summary.not_attempted}
        if held and (strict or not any(row.ok for row in summary.rows)):
            why = "; ".join(f"{region}: {reason}" for region, reason in held.items())
            raise ApplicationError(f"{self.operation} {summary.project}: nothing done in {len(held)} region(s): {why}",
                                   summary, type="OperationFailed", non_retryable=True)
        return summary

    # ------------------------------------------------------------------ front doors of the project's owner

    async def submit(self, ticket: OperationTicket) -> SubmitResult:
        """Hand the ticket to the owner; a submit that cannot succeed fails the run with its own reason."""
        try:
            return await workflow.execute_activity(api.SUBMIT_OPERATION, SubmitInput(ticket, workflow.info().task_queue),
                                                   result_type=SubmitResult, **SUBMIT_CALL)
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise  # the front door was cancelled: it ends cancelled, and withdraws its ticket (delegate)
            cause = err.cause
            kind = cause.type if isinstance(cause, ApplicationError) and cause.type else "OperationFailed"
            raise ApplicationError(f"{self.operation} {ticket.project}: {error_text(err)}"[:1000], type=kind,
                                   non_retryable=True) from None

    async def delegate(self, project: str, versions: list[str], options: CommonOptions, raw: Any) -> OperationSummary:
        """Hand the validated request to the project's owner and wait for its outcome (workflows/project.py)."""
        info = workflow.info()
        self.project = project
        reserved = reserved_for(info.workflow_id, project)
        if reserved and workflow.patched(RESERVED_IDS_PATCH):
            raise invalid_input(f"the workflow id {info.workflow_id[:200]} has the form of the ids reserved for {reserved}; "
                                "start the operation under another id")
        ticket = OperationTicket(self.operation, project, list(versions), options.Regions, dict(raw),
                                 info.workflow_id, info.run_id, iso(workflow.now()))
        self.ticket_key = ticket.key
        owner = project_workflow_id(project)
        self.phase = "queued"
        workflow.set_current_details(f"{self.operation} {project}: handed to {owner}")
        try:
            while self.outcome is None:
                submitted = await self.submit(ticket)
                if submitted.search_attributes_enabled and not self.searchable:  # findable however it was started
                    self.searchable = True
                    workflow.upsert_search_attributes(
                        sa.updates(project, self.operation, versions, options.Regions or submitted.regions))
                try:
                    await workflow.wait_condition(lambda: self.outcome is not None, timeout=RESUBMIT_EVERY)
                except TimeoutError:
                    continue
        except asyncio.CancelledError:
            await workflow.get_external_workflow_handle(owner).signal(WITHDRAW_SIGNAL, ticket.key)
            raise
        outcome = self.outcome
        self.phase = "done"
        self.done = True
        if outcome.summary is None:
            details = [outcome.error_details] if outcome.error_details is not None else []
            raise ApplicationError(outcome.error or f"{self.operation} {project} failed", *details,
                                   type=outcome.error_type or "OperationFailed", non_retryable=True)
        summary = outcome.summary
        for row in summary.rows:
            self.rows[(row.region, row.version)] = row
        self.update_details()
        return self.verdict(summary, options.Strict)


@workflow.defn(name="BuildModelWorkflow")
class BuildModelWorkflow(OperationWorkflow):
    """Seed input `{"ProjectName", "ManifestKey", "VersionName"}` (+ TestManifestKey): train the version everywhere."""

    operation = BUILD

    @workflow.run
    async def run(self, *raw: Any) -> OperationSummary:
        inp: BuildModelInput = decode_input(BuildModelInput, raw)
        if workflow.patched(PROJECT_OWNER_PATCH):
            return await self.delegate(inp.ProjectName, [inp.VersionName], inp, raw[0])
        return await self.execute(
            inp.ProjectName, [inp.VersionName], inp,
            OperationParams(manifest_key=inp.ManifestKey, test_manifest_key=inp.TestManifestKey), inp.MaxTrainingHours,
        )


GUARD_WHAT_RUNS_PATCH = "cost-guard-covers-every-region"
NOTHING_TO_STOP = {"NOT_FOUND", REFUSED, NOT_ATTEMPTED}  # the start did not touch the version there


def guarded_regions(summary: OperationSummary) -> list[str]:
    """Every region where a start may have left something RUNNING: all but those where no version exists.

    A region counts as failed when one of its versions failed, yet the others may be RUNNING there; an error
    while reading (ERROR, CONFLICT) leaves the state unknown. Stopping what is not running costs nothing.
    """
    regions: list[str] = []
    for row in summary.rows:
        if row.status not in NOTHING_TO_STOP and row.region not in regions:
            regions.append(row.region)
    return regions


@workflow.defn(name="StartModelWorkflow")
class StartModelWorkflow(OperationWorkflow):
    """Seed input `{"ProjectName", "VersionNames", "MinInferenceUnits"}` (+ MaxInferenceUnits, TtlHours)."""

    operation = START

    @workflow.run
    async def run(self, *raw: Any) -> OperationSummary:
        inp: StartModelInput = decode_input(StartModelInput, raw)
        if workflow.patched(PROJECT_OWNER_PATCH):
            return await self.delegate(inp.ProjectName, list(inp.VersionNames), inp, raw[0])
        params = OperationParams(min_inference_units=inp.MinInferenceUnits, max_inference_units=inp.MaxInferenceUnits)
        self.start_input = inp
        return await self.execute(inp.ProjectName, list(inp.VersionNames), inp, params)

    async def finish(self, summary: OperationSummary, strict: bool) -> OperationSummary:
        inp: StartModelInput = self.start_input
        if inp.TtlHours:
            # Runs recorded before the patch guarded only the regions that succeeded (issue 15: a partly failed
            # start left RUNNING models unguarded); keep replaying them so.
            regions = guarded_regions(summary) if workflow.patched(GUARD_WHAT_RUNS_PATCH) else summary.succeeded
            if regions:
                summary.cost_guard_workflow_id = await self.arm_cost_guard(inp, regions)
        return await super().finish(summary, strict)

    async def arm_cost_guard(self, inp: StartModelInput, regions: list[str]) -> str:
        """Abandoned child that stops what this run started once the TTL expires (re-arming an existing one)."""
        guard_id = cost_guard_workflow_id(inp.ProjectName, inp.VersionNames)
        expires_at = iso(workflow.now() + timedelta(hours=inp.TtlHours))
        guard = CostGuardInput(inp.ProjectName, list(inp.VersionNames), inp.TtlHours, regions, expires_at=expires_at)
        try:
            await workflow.start_child_workflow(
                CostGuardWorkflow.run,
                guard,
                id=guard_id,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=f"stop {inp.ProjectName} {','.join(inp.VersionNames)} at {expires_at}",
            )
        except WorkflowAlreadyStartedError:
            await workflow.get_external_workflow_handle(guard_id).signal("reschedule", guard)
        return guard_id


@workflow.defn(name="StopModelWorkflow")
class StopModelWorkflow(OperationWorkflow):
    """Seed input `{"ProjectName", "VersionNames"}`: stop until STOPPED in every region."""

    operation = STOP

    @workflow.run
    async def run(self, *raw: Any) -> OperationSummary:
        inp: StopModelInput = decode_input(StopModelInput, raw)
        if workflow.patched(PROJECT_OWNER_PATCH):
            return await self.delegate(inp.ProjectName, list(inp.VersionNames), inp, raw[0])
        return await self.execute(inp.ProjectName, list(inp.VersionNames), inp, OperationParams())


@workflow.defn(name="DeleteModelWorkflow")
class DeleteModelWorkflow(OperationWorkflow):
    """Seed input `{"ProjectName", "VersionNames"}`; an empty list deletes every version, then the project."""

    operation = DELETE

    @workflow.run
    async def run(self, *raw: Any) -> OperationSummary:
        inp: DeleteModelInput = decode_input(DeleteModelInput, raw)
        if workflow.patched(PROJECT_OWNER_PATCH):
            return await self.delegate(inp.ProjectName, list(inp.VersionNames), inp, raw[0])
        return await self.execute(inp.ProjectName, list(inp.VersionNames), inp, OperationParams())


# Submitting is one signal-with-start to the local Temporal server: retried while the server is briefly away.
SUBMIT_CALL = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30),
                                maximum_attempts=20),
}
FRONT_DOOR_INPUTS = inputs.OPERATION_INPUTS


@workflow.defn(name=OPERATION_WORKFLOW)
class ProjectOperationWorkflow(OperationWorkflow):
    """One operation as the project's owner runs it: the regions' fan-out, summary and SNS message.

    Its input is the owner's ticket, whose request is the front door's seed JSON, validated again here (the
    owner is a workflow users can signal too). Children report nothing while they run (lean): each per-version
    workflow publishes its status in the ModelStatus search attribute and this run learns outcomes from the
    children's results.
    """

    @workflow.run
    async def run(self, *raw: Any) -> OperationSummary:
        ticket = ticket_from(raw[0]) if len(raw) == 1 else None  # *raw: see decode_input
        if ticket is None:
            raise invalid_input("ProjectOperationWorkflow takes an operation ticket (the project's owner starts it)")
        self.operation = ticket.operation
        self.lean = True
        inp = decode_input(FRONT_DOOR_INPUTS[ticket.operation], (ticket.request,))
        if ticket.operation == BUILD:
            return await self.execute(
                inp.ProjectName, [inp.VersionName], inp,
                OperationParams(manifest_key=inp.ManifestKey, test_manifest_key=inp.TestManifestKey), inp.MaxTrainingHours)
        params = OperationParams()
        if ticket.operation == START:
            self.start_input = inp
            params = OperationParams(min_inference_units=inp.MinInferenceUnits,
                                     max_inference_units=inp.MaxInferenceUnits, min_f1=inp.MinF1)
        return await self.execute(inp.ProjectName, list(inp.VersionNames), inp, params)

    async def finish(self, summary: OperationSummary, strict: bool) -> OperationSummary:
        if self.operation == START:
            self.guard(summary)
        return await super().finish(summary, strict)

    def guard(self, summary: OperationSummary) -> None:
        """When each started version must be stopped: every region where a start may have left it RUNNING."""
        inp: StartModelInput = self.start_input
        hours = inp.TtlHours if inp.TtlHours is not None else (self.ttl_default or 0)
        summary.ttl_hours = hours
        summary.cost_guard_workflow_id = project_workflow_id(inp.ProjectName) if hours else None
        if not hours:
            return
        moment = iso(workflow.now() + timedelta(hours=hours))
        for row in summary.rows:
            if row.status not in NOTHING_TO_STOP:
                summary.stop_at.setdefault(row.version, {})[row.region] = moment
