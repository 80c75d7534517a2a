"""One model version in one region: build, start, stop or delete it and poll until it settles.

Its workflow id is `{project}/{region}/{version}` whatever the operation, so two operations on the same
version can never run at once (the second child start fails with WorkflowAlreadyStarted).

Bounded history. A 72-hour training polled every 5 minutes is 864 polls of ~11 events each, about 9,500
events, and the local stack polls every 2 s. Rather than the "infrequent polling" pattern (an activity that
fails until done, retried by the server with a fixed interval, no history per poll), this workflow polls with
durable timers and continues as new after POLLS_PER_RUN polls or when the server suggests it, carrying its
state (phase, poll count, deadline, ARN). Reasons: every status change is signalled to the parent as it
happens (the CLI's live table), the current-details line shows the status and poll count, the delay comes
from the pluggable schedule in workflows/polling.py (which a retry policy's fixed interval cannot express),
and the timeout is checked against workflow time, so a failed or timed-out training is reported with the
last status Rekognition gave instead of as an exhausted retry.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from configuration.names import output_prefix, regional_manifest_key
    from workflows import activity_api as api
    from workflows import polling
    from workflows import search_attributes as sa
    from workflows.common import SIBLINGS_FINISHED_SIGNAL, error_text, failure_type, iso, parse_iso, report
    from workflows.models import (
        BUILD,
        DELETE,
        START,
        STOP,
        AwaitStatusInput,
        CreateVersionInput,
        CreateVersionResult,
        DescribeVersionInput,
        EnsureProjectInput,
        EnsureProjectResult,
        ManifestRewriteInput,
        ManifestRewriteResult,
        ProgressRow,
        ReplicationCheckInput,
        ReplicationCheckResult,
        ResolvedProject,
        ResolveVersionsInput,
        StartVersionInput,
        VersionArnInput,
        VersionDescription,
        VersionInput,
        VersionState,
    )
    from workflows.transitions import (
        DELETED,
        DELETING,
        DONE,
        FAILED,
        FAILED_OUTCOME,
        RUNNING,
        STARTING,
        STOPPED,
        STOPPING,
        TRAINING_COMPLETED,
        TRAINING_FAILED,
        TRAINING_IN_PROGRESS,
        classify,
    )

POLLS_PER_RUN = 200  # ~2,200 events per run, far below the 10,240-event warning
MAX_TRANSITION = timedelta(hours=6)  # start / stop / delete that has not settled by then is reported as timed out
MAX_REPLICATION_WAIT = timedelta(hours=24)
TEST_REPLICATION = "test_replication"  # phase of builds given a test manifest (BuildModelInput.TestManifestKey)
# Runs recorded before a rerun retrained a TRAINING_FAILED version reported the failure instead: keep replaying so.
RETRAIN_FAILED_PATCH = "retrain-failed-version"

STARTABLE = {TRAINING_COMPLETED, STOPPED, FAILED, "COPYING_COMPLETED"}
NEVER_TRAINED = {TRAINING_IN_PROGRESS, TRAINING_FAILED, "COPYING_IN_PROGRESS", "COPYING_FAILED"}
# status found by stop() or delete() -> the phase that stops the version first
STOP_FIRST = {RUNNING: "stop", STARTING: "settle", STOPPING: polling.STOPPING}
# Lean waits poll through the retries of one activity (await_version_status): a retry is one billed action where
# a timer plus an activity were two, and adds no history. Transient AWS errors back off; "still waiting" retries
# after the delay the schedule gives (the activity sets next_retry_delay); the wait's deadline is the
# schedule-to-close timeout.
POLL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
                         maximum_interval=timedelta(minutes=2), non_retryable_error_types=api.PERMANENT_ERROR_TYPES)


def regional_test_manifest_key(project: str, version: str) -> str:
    """Where a build given a test manifest writes its regional copy, next to the training one."""
    return regional_manifest_key(project, version).rsplit("/", 1)[0] + "/test.manifest"


class VersionFailed(Exception):
    """Ends the operation on this version with a failed row."""

    def __init__(self, status: str, error: str):
        super().__init__(error)
        self.status = status
        self.error = error


@workflow.defn(name="ModelVersionWorkflow")
class ModelVersionWorkflow:
    def __init__(self) -> None:
        self.inp: VersionInput | None = None
        self.st = VersionState()
        self.polls_this_run = 0

    @workflow.signal(name=SIBLINGS_FINISHED_SIGNAL)
    def siblings_finished(self) -> None:
        """The same operation finished in another region: a smarter schedule may poll sooner."""
        self.st.siblings_finished = True

    @workflow.query(name="state")
    def state(self) -> dict:
        return asdict(self.st)

    @workflow.run
    async def run(self, inp: VersionInput) -> ProgressRow:
        self.inp = inp
        self.st = inp.state or VersionState()
        if inp.state is None and not inp.config.lean:  # lean runs report real transitions only
            await self.report("CHECKING")
        operation = {BUILD: self.build, START: self.start, STOP: self.stop, DELETE: self.delete}[inp.operation]
        try:
            status, detail = await operation()
        except VersionFailed as failure:
            row = await self.report(failure.status, error=failure.error, ok=False)
            raise ApplicationError(
                f"{inp.operation} {inp.region}/{inp.version}: {failure.error}",
                row,
                type="VersionOperationFailed",
                non_retryable=True,
            ) from None
        except ActivityError as err:
            row = await self.report("ERROR", error=error_text(err), ok=False)
            raise ApplicationError(
                f"{inp.operation} {inp.region}/{inp.version}: {row.error}", row, type="VersionOperationFailed",
                non_retryable=True,
            ) from None
        return await self.report(status, detail=detail, ok=True)

    # ------------------------------------------------------------------ operations

    async def build(self) -> tuple[str, str]:
        inp, cfg = self.inp, self.inp.config
        while True:
            phase = self.st.phase
            if phase == "check":
                resolved: ResolvedProject = await self.call(
                    api.RESOLVE_VERSIONS, ResolveVersionsInput(inp.region, inp.project, [inp.version]), ResolvedProject
                )
                if resolved.project_arn:
                    self.inp = inp = replace(inp, project_arn=resolved.project_arn)
                found = resolved.versions[0] if resolved.versions else None
                if found is None:
                    self.enter(polling.REPLICATION, limit=MAX_REPLICATION_WAIT)
                    continue
                self.st.arn = found.arn
                outcome = self.existing_build(found)
                if outcome:
                    return outcome
            elif phase == polling.REPLICATION:
                await self.wait_for_replication(inp.params.manifest_key)
                if inp.params.test_manifest_key:  # a build with its own test set (absent from recorded histories)
                    self.st.resume_line = 0
                    self.enter(TEST_REPLICATION, limit=MAX_REPLICATION_WAIT)
                else:
                    self.enter("manifest")
            elif phase == TEST_REPLICATION:
                await self.wait_for_replication(inp.params.test_manifest_key)
                self.enter("manifest")
            elif phase == "manifest":
                await self.report("WRITING_MANIFEST")
                key = regional_manifest_key(inp.project, inp.version)
                written = await self.write_regional_manifest(inp.params.manifest_key, key)
                detail = f"manifest of {written.lines} lines at s3://{cfg.training_bucket}/{key}"
                if inp.params.test_manifest_key:
                    tested = await self.write_regional_manifest(
                        inp.params.test_manifest_key, regional_test_manifest_key(inp.project, inp.version))
                    detail += f", test manifest of {tested.lines} lines"
                await self.report("CREATING", detail=detail)
                self.enter("create")
            elif phase == "create":
                project: EnsureProjectResult = await self.call(
                    api.ENSURE_PROJECT, EnsureProjectInput(inp.region, inp.project), EnsureProjectResult
                )
                created: CreateVersionResult = await self.call(
                    api.CREATE_VERSION,
                    CreateVersionInput(
                        region=inp.region,
                        project_arn=project.project_arn,
                        version=inp.version,
                        training_bucket=cfg.training_bucket,
                        manifest_key=regional_manifest_key(inp.project, inp.version),
                        output_bucket=cfg.output_bucket,
                        output_prefix=output_prefix(inp.project, inp.version),
                        test_manifest_key=(
                            regional_test_manifest_key(inp.project, inp.version) if inp.params.test_manifest_key else None
                        ),
                    ),
                    CreateVersionResult,
                )
                self.inp = replace(inp, project_arn=project.project_arn)
                inp = self.inp
                self.st.arn = created.arn
                found = VersionDescription(True, inp.version, created.arn, created.status, None, created.created_at)
                outcome = self.existing_build(found) if created.existed else None
                if outcome:
                    return outcome
                if not created.existed:
                    await self.report(created.status, detail="training started")
                    self.enter(polling.TRAINING, deadline=self.training_deadline(created.created_at))
            elif phase == "delete_failed":
                await self.report(DELETING, detail="deleting the version whose training failed, to train it again")
                await self.transition(api.DELETE_VERSION, VersionArnInput(inp.region, self.st.arn))
                self.enter(polling.DELETING)
            elif phase == polling.DELETING:
                await self.wait(polling.DELETING)
                self.st.arn = None
                self.st.resume_line = 0
                self.enter(polling.REPLICATION, limit=MAX_REPLICATION_WAIT)
            elif phase == polling.TRAINING:
                described = await self.wait(polling.TRAINING)
                return described.status, "trained"
            else:
                raise ApplicationError(f"unknown build phase {phase}", non_retryable=True)

    def existing_build(self, found: VersionDescription) -> tuple[str, str] | None:
        """Idempotent build: an existing version is reported (or awaited), never created twice.

        A version whose training failed is the exception: a rerun is how the user retries once the cause is
        fixed, so it is deleted (Rekognition allows that in TRAINING_FAILED) and trained again under the same name.
        """
        if found.status in (TRAINING_IN_PROGRESS, "COPYING_IN_PROGRESS"):
            self.enter(polling.TRAINING, deadline=self.training_deadline(found.created_at))
            return None
        if found.status == TRAINING_FAILED and workflow.patched(RETRAIN_FAILED_PATCH):
            self.enter("delete_failed")
            return None
        if found.status == "COPYING_FAILED" or found.status == TRAINING_FAILED:
            raise VersionFailed(found.status, f"version already exists and its training failed: {found.message or '-'}")
        return found.status, "version already exists"

    async def start(self) -> tuple[str, str]:
        while True:
            phase = self.st.phase
            if phase == "check":
                status = await self.existing_status()
                if status == RUNNING:
                    return RUNNING, "already running"
                if status == STARTING:
                    self.enter(polling.STARTING)
                elif status == STOPPING:
                    self.enter("settle")
                elif status in STARTABLE:
                    self.enter("start")
                elif status in NEVER_TRAINED:
                    raise VersionFailed(status, f"cannot start a version in state {status}: it has no trained model")
                else:
                    raise VersionFailed(status, f"cannot start a version in state {status}")
            elif phase == "settle":
                await self.settle()
            elif phase == "start":
                p = self.inp.params
                await self.transition(
                    api.START_VERSION,
                    StartVersionInput(self.inp.region, self.st.arn, p.min_inference_units, p.max_inference_units),
                )
                self.enter(polling.STARTING)
            elif phase == polling.STARTING:
                await self.wait(polling.STARTING)
                return RUNNING, f"running with {self.inp.params.min_inference_units} inference unit(s)"
            else:
                raise ApplicationError(f"unknown start phase {phase}", non_retryable=True)

    async def stop(self) -> tuple[str, str]:
        while True:
            phase = self.st.phase
            if phase == "check":
                status = await self.existing_status()
                if status not in STOP_FIRST:
                    return status, "not running"
                self.enter(STOP_FIRST[status])
            elif await self.stop_first(phase):
                continue
            elif phase == polling.STOPPING:
                await self.wait(polling.STOPPING)
                return STOPPED, "stopped"
            else:
                raise ApplicationError(f"unknown stop phase {phase}", non_retryable=True)

    async def existing_status(self) -> str:
        """The version's status for start() and stop(), which have nothing to act on once it is gone."""
        found = await self.describe(report=True)
        if found.status == DELETED:
            raise VersionFailed("NOT_FOUND", f"version {self.inp.version} not found")
        return found.status

    async def settle(self) -> None:
        """A start or stop in progress: let it finish, then look again."""
        await self.wait("settle")
        self.enter("check")

    async def stop_first(self, phase: str) -> bool:
        """The phases stop() and delete() share before a version is stopped; False if `phase` is not one."""
        if phase == "settle":
            await self.settle()
        elif phase == "stop":
            await self.transition(api.STOP_VERSION, VersionArnInput(self.inp.region, self.st.arn))
            self.enter(polling.STOPPING)
        else:
            return False
        return True

    async def delete(self) -> tuple[str, str]:
        """Stops a running version first: a delete never leaves a billed endpoint behind."""
        while True:
            phase = self.st.phase
            if phase == "check":
                found = await self.describe(report=True)
                status = found.status
                if status == DELETED:
                    return DELETED, "does not exist"
                if status in (TRAINING_IN_PROGRESS, "COPYING_IN_PROGRESS"):
                    raise VersionFailed(
                        status, "training in progress: Rekognition refuses to delete it; retry when training ends"
                    )
                if status in STOP_FIRST:
                    self.enter(STOP_FIRST[status])
                elif status == DELETING:
                    self.enter(polling.DELETING)
                else:
                    self.enter("delete")
            elif await self.stop_first(phase):
                continue
            elif phase == polling.STOPPING:
                await self.wait(polling.STOPPING)
                self.enter("delete")
            elif phase == "delete":
                await self.transition(api.DELETE_VERSION, VersionArnInput(self.inp.region, self.st.arn))
                self.enter(polling.DELETING)
            elif phase == polling.DELETING:
                await self.wait(polling.DELETING)
                return DELETED, "deleted"
            else:
                raise ApplicationError(f"unknown delete phase {phase}", non_retryable=True)

    # ------------------------------------------------------------------ polling

    def enter(self, phase: str, limit: timedelta = MAX_TRANSITION, deadline: str | None = None) -> None:
        now = workflow.now()
        self.st.phase = phase
        self.st.polls = 0
        self.st.phase_started_at = iso(now)
        self.st.deadline = deadline or iso(now + limit)

    def training_deadline(self, created_at: str | None) -> str:
        """max_training_hours from when this workflow began watching the training, in workflow time.

        Rekognition's CreationTimestamp is not used: mixing AWS's clock with workflow time would make a
        clock skew (or a time-skipping test server) end trainings early. A re-run that finds a training in
        progress therefore gives it the full limit again.
        """
        del created_at
        return iso(workflow.now() + timedelta(hours=self.inp.config.max_training_hours))

    async def pause(self, phase: str) -> None:
        """Sleep until the next poll (continuing as new first when the history has grown enough)."""
        if self.polls_this_run >= POLLS_PER_RUN or workflow.info().is_continue_as_new_suggested():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(replace(self.inp, state=self.st))
        started = parse_iso(self.st.phase_started_at) or workflow.now()
        ctx = polling.PollContext(
            phase=phase,
            elapsed_seconds=(workflow.now() - started).total_seconds(),
            polls=self.st.polls,
            max_interval_seconds=self.inp.config.poll_interval_seconds,
            siblings_finished=self.st.siblings_finished,
        )
        delay = polling.next_delay(ctx, self.inp.config.poll_policy)
        # a timer summary is a payload in the history of every poll: lean runs go without
        summary = None if self.inp.config.lean else f"next {phase} poll"
        await workflow.sleep(timedelta(seconds=delay), summary=summary)
        self.st.polls += 1
        self.polls_this_run += 1

    def check_deadline(self, what: str) -> None:
        deadline = parse_iso(self.st.deadline)
        if deadline is not None and workflow.now() >= deadline:
            since = parse_iso(self.st.phase_started_at) or deadline
            hours = (workflow.now() - since).total_seconds() / 3600
            raise VersionFailed("TIMED_OUT", f"{what} after {hours:.1f} h (limit reached)")

    async def wait(self, phase: str) -> VersionDescription:
        if self.inp.config.lean:
            return await self.wait_by_retries(phase)
        while True:
            await self.pause(phase)
            found = await self.describe()
            outcome = classify(phase, found.status)
            if outcome == DONE:
                return found
            if outcome == FAILED_OUTCOME:
                reason = found.message or f"reached {found.status} while {phase}"
                raise VersionFailed(found.status, reason)
            self.check_deadline(f"still {found.status}")

    async def write_regional_manifest(self, manifest_key: str, regional_key: str) -> ManifestRewriteResult:
        """The replicated manifest, source-refs pointed at the regional training bucket, at `regional_key`."""
        inp, cfg = self.inp, self.inp.config
        return await self.call(
            api.WRITE_REGIONAL_MANIFEST,
            ManifestRewriteInput(inp.region, cfg.training_bucket, manifest_key, cfg.training_bucket, regional_key),
            ManifestRewriteResult,
            **api.LONG_CALL,
        )

    async def wait_by_retries(self, phase: str) -> VersionDescription:
        """Lean runs: one timer for the first poll (the schedule's quiet period), then one activity whose attempts
        are the polls, each after the delay the same schedule gives (polling.next_delay, computed by the activity).
        The wait's deadline is the activity's schedule-to-close timeout."""
        await self.pause(phase)
        remaining = parse_iso(self.st.deadline) - workflow.now()
        if remaining <= timedelta(0):
            self.check_deadline(f"still {self.st.last_status or phase}")
        inp, cfg = self.inp, self.inp.config
        try:
            found: VersionDescription = await workflow.execute_activity(
                api.AWAIT_VERSION_STATUS,
                AwaitStatusInput(inp.region, inp.project_arn, inp.version, phase, self.st.phase_started_at,
                                 self.st.polls, cfg.poll_interval_seconds, cfg.poll_policy),
                result_type=VersionDescription, start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=remaining, retry_policy=POLL_RETRY,
            )
        except ActivityError as err:
            if failure_type(err) == api.STILL_WAITING or isinstance(err.cause, TimeoutError):
                hours = (workflow.now() - (parse_iso(self.st.phase_started_at) or workflow.now())).total_seconds() / 3600
                raise VersionFailed("TIMED_OUT", f"{error_text(err)} after {hours:.1f} h (limit reached)") from None
            raise
        if not found.exists:
            found = replace(found, status=DELETED)
        if found.arn:
            self.st.arn = found.arn
        if classify(phase, found.status) == FAILED_OUTCOME:
            raise VersionFailed(found.status, found.message or f"reached {found.status} while {phase}")
        return found

    async def wait_for_replication(self, manifest_key: str) -> None:
        inp, cfg = self.inp, self.inp.config
        while True:
            check: ReplicationCheckResult = await self.call(
                api.CHECK_REPLICATION,
                ReplicationCheckInput(
                    inp.region, cfg.management_bucket, manifest_key, cfg.training_bucket,
                    cfg.management_region, resume_from_line=self.st.resume_line,
                ),
                ReplicationCheckResult,
                **api.LONG_CALL,
            )
            if check.complete:
                return
            self.st.resume_line = check.lines_verified
            await self.report(
                "WAITING_FOR_REPLICATION",
                detail=f"{check.lines_verified} manifest lines replicated, waiting for {check.first_missing}",
            )
            self.details("WAITING_FOR_REPLICATION")
            self.check_deadline(f"dataset not replicated into s3://{cfg.training_bucket} (missing {check.first_missing})")
            await self.pause(polling.REPLICATION)

    # ------------------------------------------------------------------ activities and reporting

    async def transition(self, name: str, arg) -> None:
        """Start, stop or delete; lean runs publish the status Rekognition answered (their polls report nothing)."""
        status = await self.call(name, arg, str)
        if self.inp.config.lean and status:
            await self.report(status)

    async def call(self, name: str, arg, result_type=None, **options):
        options = options or api.SHORT_CALL
        return await workflow.execute_activity(name, arg, result_type=result_type, **options)

    async def describe(self, report: bool = True) -> VersionDescription:
        inp = self.inp
        if not inp.project_arn:
            raise VersionFailed("NOT_FOUND", f"project {inp.project} not found")
        if inp.known is not None:  # lean runs: the region child has just described it
            found, self.inp = inp.known, replace(inp, known=None)
        else:
            found = await self.call(
                api.DESCRIBE_VERSION, DescribeVersionInput(inp.region, inp.project_arn, inp.version), VersionDescription
            )
        if not found.exists:
            found = replace(found, status=DELETED)
        if found.arn:
            self.st.arn = found.arn
        if report:
            await self.report(found.status, detail=found.message or "")
        return found

    def details(self, status: str) -> None:
        workflow.set_current_details(f"{self.inp.region} / {self.inp.version}: {status}, poll {self.st.polls}")

    async def report(self, status: str, detail: str = "", error: str | None = None, ok: bool | None = None) -> ProgressRow:
        row = ProgressRow(self.inp.region, self.inp.version, status, detail, error, self.st.arn, ok)
        self.details(status)
        if self.inp.config.lean:
            # Lean runs publish a real transition once, in the ModelStatus search attribute (the CLI and the Web
            # UI read it from visibility, which costs no query); the outcome travels in the result.
            if status != self.st.last_status:
                self.st.last_status = status
                if self.inp.config.search_attributes_enabled:
                    workflow.upsert_search_attributes([sa.MODEL_STATUS.value_set(status)])
            return row
        if ok is not None or status != self.st.last_status:  # status changes only, not every poll
            self.st.last_status = status
            await report(self.inp.report_to, row)
        return row
