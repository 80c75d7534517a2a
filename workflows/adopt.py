"""AdoptProjectWorkflow: make a model trained in one region (e.g. in the console) the same model in every region.

Seed-style input `{"ProjectName", "SourceRegion", "VersionName"?, "Regions"?, "MaxTrainingHours"?, ...}`, validated
by workflows/inputs.py. Steps, each durable:
1. the source: the version to adopt (named, else the newest trained one), its F1 and where its data is (the
   project's TRAIN/TEST datasets, or the manifests the version's description names);
2. already global? every target region has a trained version of that name: report it, copy nothing;
3. stage: the training (and test) manifest and the list of images, in the management bucket;
4. copy the images in batches, one activity each (a worker killed mid-copy costs at most the batch in flight,
   which its retry resumes from the last heartbeat without copying twice); an image that cannot be read fails
   the adoption with its key, before anything is trained;
5. BuildModelWorkflow as a child (id `build/{project}/{version}`, so a concurrent `build` of that version is refused
   as with any other build), with the test manifest when the source had a test set: every region trains on the
   source's train/test split;
6. each region's F1 next to the source's.

The source region is never trained again: the source project already has the model, and Custom Labels refuses
manifests (TrainingData) in a project that has datasets (CreateProjectVersion, "The project must not have any
associated datasets"). When it is one of the configured regions it is reported as SOURCE and skipped.
The workflow id is `adopt/{project}/{source region}` (workflows.ids.bounded_id), so a second adopt resumes the
running one, or (once finished) starts again, finds every region trained and says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

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
    from workflows import inputs
    from workflows import search_attributes as sa
    from workflows.common import error_text
    from workflows.ids import bounded_id
    from workflows.models import (
        ADOPT,
        TRAINED_STATUSES,
        AdoptProjectInput,
        AdoptSource,
        AdoptSourceInput,
        AdoptSummary,
        CopyImagesInput,
        CopyImagesResult,
        NamedVersionInput,
        NamedVersionScore,
        OperationSummary,
        ProgressRow,
        RegionalData,
        RegionalDataRequest,
        RegionComparison,
        StageAdoptionInput,
        StagedAdoption,
    )

BUILD_WORKFLOW = "BuildModelWorkflow"
SOURCE = "SOURCE"
MAX_REPORTED_UNREADABLE = 100  # keys kept in the result; the count covers all of them
UNREADABLE_IN_MESSAGE = 3


def adopt_workflow_id(project: str, source_region: str) -> str:
    return bounded_id(f"{ADOPT}/{project}/{source_region}")


def build_workflow_id(project: str, version: str) -> str:
    """The CLI's own `build` id: a build and an adopt of one version can never run at once."""
    return bounded_id(f"build/{project}/{version}")


def compare(region: str, evaluation: NamedVersionScore | None, source_f1: float | None,
            error: str | None = None) -> RegionComparison:
    f1 = evaluation.f1_score if evaluation else None
    status = (evaluation.status if evaluation and evaluation.exists else None) or ("ERROR" if error else "NOT_FOUND")
    difference = round(f1 - source_f1, 4) if f1 is not None and source_f1 is not None else None
    return RegionComparison(region, status, f1, source_f1, difference, error)


def summary_from_failure(err: BaseException) -> OperationSummary | None:
    """The build's summary an OperationFailed child failure carries in its details."""
    current: BaseException | None = err
    while current is not None:
        if isinstance(current, ApplicationError) and current.type == "OperationFailed" and current.details:
            data = current.details[0]
            if isinstance(data, dict):
                rows = [ProgressRow(**{k: v for k, v in row.items() if k in ProgressRow.__dataclass_fields__})
                        for row in data.get("rows", [])]
                fields = {k: v for k, v in data.items() if k in OperationSummary.__dataclass_fields__}
                return OperationSummary(**{**fields, "rows": rows})
        current = getattr(current, "cause", None)
    return None


@workflow.defn(name="AdoptProjectWorkflow")
class AdoptProjectWorkflow:
    def __init__(self) -> None:
        self.summary: AdoptSummary | None = None
        self.phase = "starting"
        self.done = False
        self.strict = False

    @workflow.query(name="progress")
    def progress(self) -> dict:
        """The phase, the copy counts, and the build's workflow id (whose own `progress` has the per-region rows)."""
        summary = asdict(self.summary) if self.summary else {}
        return {"operation": ADOPT, "project": summary.get("project"), "phase": self.phase, "done": self.done,
                "rows": [], "summary": summary}

    def enter(self, phase: str, detail: str = "") -> None:
        self.phase = phase
        summary = self.summary
        workflow.set_current_details(f"adopt {summary.project} from {summary.source_region}: {phase}"
                                     + (f" ({detail})" if detail else ""))

    @workflow.run
    async def run(self, raw: Any) -> AdoptSummary:
        inp: AdoptProjectInput = inputs.parse(AdoptProjectInput, raw)
        self.strict = inp.Strict
        self.summary = AdoptSummary(ADOPT, inp.ProjectName, inp.SourceRegion, inp.VersionName or "", None, "")
        self.enter("reading the source")
        try:
            data: RegionalData = await workflow.execute_activity(
                api.GET_REGIONAL_DATA, RegionalDataRequest(inp.Regions), result_type=RegionalData, **api.LOCAL_CALL)
        except ActivityError as err:
            raise inputs.invalid_input(error_text(err)) from None
        source = await self.call(api.DESCRIBE_ADOPT_SOURCE, AdoptSourceInput(inp.SourceRegion, inp.ProjectName,
                                                                             inp.VersionName), AdoptSource)
        summary = self.summary
        summary.version, summary.source_f1_score, summary.origin = source.version, source.f1_score, source.origin
        targets = [region for region in data.regions if region != inp.SourceRegion]
        if data.search_attributes_enabled:
            workflow.upsert_search_attributes(sa.updates(inp.ProjectName, ADOPT, [source.version], data.regions))
        if await self.already_global(targets, data):
            return self.finish()
        staged = await self.stage(source, data)
        await self.copy_images(staged, data)
        build = await self.build(inp, staged, targets)
        await self.compare_regions(targets, data, build)
        return self.finish()

    async def call(self, name: str, arg, result_type, **options):
        """An activity whose failure ends the adoption with its one-line reason."""
        try:
            return await workflow.execute_activity(name, arg, result_type=result_type, **(options or api.SHORT_CALL))
        except ActivityError as err:
            raise ApplicationError(f"adopt {self.summary.project} from {self.summary.source_region}: "
                                   f"{error_text(err)}", type="AdoptFailed", non_retryable=True) from None

    # ------------------------------------------------------------------ steps

    async def evaluations(self, regions: list[str]) -> dict[str, NamedVersionScore | str]:
        """Each region's version (status, F1), or why it could not be read."""
        summary = self.summary

        async def one(region: str) -> NamedVersionScore | str:
            try:
                return await workflow.execute_activity(
                    api.DESCRIBE_EVALUATION, NamedVersionInput(region, summary.project, summary.version),
                    result_type=NamedVersionScore, **api.SHORT_CALL)
            except ActivityError as err:
                return error_text(err)

        return dict(zip(regions, await asyncio.gather(*(one(r) for r in regions)), strict=True))

    def source_rows(self, data: RegionalData) -> list[RegionComparison]:
        summary = self.summary
        if summary.source_region not in data.regions:
            return []
        f1 = summary.source_f1_score
        return [RegionComparison(summary.source_region, SOURCE, f1, f1, 0.0 if f1 is not None else None)]

    async def already_global(self, targets: list[str], data: RegionalData) -> bool:
        self.enter("checking the regions")
        found = await self.evaluations(targets)
        trained = [r for r, e in found.items() if isinstance(e, NamedVersionScore) and e.status in TRAINED_STATUSES]
        if len(trained) < len(targets):
            return False
        summary = self.summary
        summary.already_global = True
        summary.regions = self.source_rows(data) + [compare(r, found[r], summary.source_f1_score) for r in targets]
        summary.succeeded = [row.region for row in summary.regions]
        return True

    async def stage(self, source: AdoptSource, data: RegionalData) -> StagedAdoption:
        summary = self.summary
        self.enter("staging the manifests", source.origin)
        staged: StagedAdoption = await self.call(
            api.STAGE_ADOPTION,
            StageAdoptionInput(summary.source_region, summary.project, source.version, source.train, source.test,
                               data.management_region, data.management_bucket),
            StagedAdoption, **api.LONG_CALL,
        )
        summary.train_manifest_key, summary.test_manifest_key = staged.train_manifest_key, staged.test_manifest_key
        summary.train_entries, summary.test_entries, summary.images = (staged.train_entries, staged.test_entries,
                                                                       staged.images)
        return staged

    async def copy_images(self, staged: StagedAdoption, data: RegionalData) -> None:
        """One activity per batch, in order: the workflow's progress advances batch by batch, durably."""
        summary = self.summary
        for batch in staged.batches:
            self.enter("copying", f"{summary.copied + summary.skipped + summary.unreadable_count}/{staged.images}")
            result: CopyImagesResult = await self.call(
                api.COPY_ADOPTED_IMAGES,
                CopyImagesInput(summary.source_region, data.management_region, data.management_bucket, summary.project,
                                staged.images_key, batch),
                CopyImagesResult, **api.COPY_CALL,
            )
            summary.copied += result.copied
            summary.skipped += result.skipped
            summary.bytes_copied += result.bytes_copied
            summary.unreadable_count += len(result.unreadable)
            room = MAX_REPORTED_UNREADABLE - len(summary.unreadable)
            summary.unreadable.extend(result.unreadable[:max(room, 0)])
        if summary.unreadable_count:
            self.done = True
            shown = ", ".join(f"{image.source} ({image.reason})" for image in summary.unreadable[:UNREADABLE_IN_MESSAGE])
            more = summary.unreadable_count - min(len(summary.unreadable), UNREADABLE_IN_MESSAGE)
            raise ApplicationError(
                f"adopt {summary.project}: {summary.unreadable_count} of {staged.images} image(s) of the source "
                f"cannot be copied, nothing was trained: {shown}" + (f" and {more} more" if more > 0 else ""),
                summary, type="ImagesNotCopied", non_retryable=True,
            )

    async def build(self, inp: AdoptProjectInput, staged: StagedAdoption, targets: list[str]) -> OperationSummary | None:
        summary = self.summary
        payload: dict[str, Any] = {"ProjectName": summary.project, "ManifestKey": staged.train_manifest_key,
                                   "VersionName": summary.version, "Regions": targets, "Strict": inp.Strict}
        optional = {"TestManifestKey": staged.test_manifest_key, "PollIntervalSeconds": inp.PollIntervalSeconds,
                    "PollPolicy": inp.PollPolicy, "MaxTrainingHours": inp.MaxTrainingHours}
        payload.update({k: v for k, v in optional.items() if v is not None})
        summary.build_workflow_id = build_workflow_id(summary.project, summary.version)
        self.enter("building", summary.build_workflow_id)
        try:
            built = await workflow.execute_child_workflow(
                BUILD_WORKFLOW, payload, id=summary.build_workflow_id, result_type=OperationSummary,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=f"build {summary.project} {summary.version} adopted from {summary.source_region}",
            )
        except WorkflowAlreadyStartedError:
            raise ApplicationError(f"{summary.build_workflow_id} is already running: wait for it to end, then adopt "
                                   "again", type="AdoptFailed", non_retryable=True) from None
        except ChildWorkflowError as err:
            built = summary_from_failure(err)
            if built is None:
                raise ApplicationError(f"adopt {summary.project}: the build failed: {error_text(err)}",
                                       type="AdoptFailed", non_retryable=True) from None
        summary.build = built
        return built

    async def compare_regions(self, targets: list[str], data: RegionalData, build: OperationSummary) -> None:
        summary = self.summary
        self.enter("comparing the evaluations")
        found = await self.evaluations(targets)
        rows = []
        for region in targets:
            reason = build.failed.get(region) or (found[region] if isinstance(found[region], str) else None)
            evaluation = found[region] if isinstance(found[region], NamedVersionScore) else None
            rows.append(compare(region, evaluation, summary.source_f1_score, reason))
        summary.regions = self.source_rows(data) + rows
        summary.failed = dict(build.failed)
        summary.succeeded = [row.region for row in summary.regions if row.region not in summary.failed]

    def finish(self) -> AdoptSummary:
        summary = self.summary
        self.enter("done")
        self.done = True
        trained = [region for region in summary.succeeded if region != summary.source_region]
        if summary.failed and (self.strict or not trained):  # as the build itself: Strict, or no region trained
            why = "; ".join(f"{region}: {reason}" for region, reason in summary.failed.items())
            raise ApplicationError(f"adopt {summary.project} failed in {len(summary.failed)} region(s): {why}",
                                   summary, type="OperationFailed", non_retryable=True)
        return summary
