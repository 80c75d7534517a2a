"""The live table of a running operation, read from Temporal's visibility: no query, no signal, no billed action.

Each per-version workflow keeps its Rekognition status in the ModelStatus search attribute (set on real
transitions only) and names its region workflow in its memo; the region workflows belong to the operation's run
(`{front door id}/run`, started by the project's owner). One ListWorkflowExecutions call per refresh finds them
all; on Temporal Cloud a query is a billed action, a visibility list is not. Without registered search
attributes the table falls back to describing the known per-version workflow ids (status only).
The refresh is adaptive: every second while something changes, stretching to REFRESH_MAX_SECONDS while nothing
does (a two-hour training is followed with a few hundred visibility calls and no action at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

REFRESH_MIN_SECONDS = 1.0
REFRESH_MAX_SECONDS = 10.0
REFRESH_GROWTH = 1.5
ALL_VERSIONS = "*"
LIST_LIMIT = 1000


def next_refresh(delay: float, changed: bool) -> float:
    return REFRESH_MIN_SECONDS if changed else min(delay * REFRESH_GROWTH, REFRESH_MAX_SECONDS)


@dataclass
class Watch:
    """What identifies one operation's workflows."""

    client: object
    operation: str
    project: str
    versions: list[str]  # empty: the whole project
    regions: list[str]
    front_door_id: str
    started_at: datetime  # the front door's start (server time): older runs of the reused ids are not ours
    searchable: bool
    waiting: str = ""  # why a region not started yet waits (a build's rollout: its canary, its waves)

    @property
    def run_id(self) -> str:
        from workflows.owner_api import operation_workflow_id

        return operation_workflow_id(self.front_door_id, self.project, 0)

    def region_workflow_ids(self) -> dict[str, str]:
        from workflows.ids import child_id

        return {child_id(self.run_id, region): region for region in self.regions}


def _placeholder_rows(watch: Watch, status: str, detail: str) -> dict[tuple[str, str], dict]:
    """Rows for what has not started yet (`pending`: no workflow answered for them)."""
    return {(region, version): {"region": region, "version": version, "status": status, "detail": detail,
                                "pending": True}
            for region in watch.regions for version in (watch.versions or [ALL_VERSIONS])}


def _visibility_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def _version_rows(watch: Watch) -> dict[tuple[str, str], dict]:
    """The per-version workflows of this run with their ModelStatus, from one visibility list."""
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.common import SearchAttributeKey

    from workflows import search_attributes as sa

    parents = watch.region_workflow_ids()
    query = (f"ProjectName = '{watch.project}' AND WorkflowType = 'ModelVersionWorkflow' "
             f"AND StartTime >= '{_visibility_time(watch.started_at)}'")
    rows: dict[tuple[str, str], dict] = {}
    regions_key, versions_key = SearchAttributeKey.for_keyword_list("Regions"), sa.VERSION_NAMES
    async for execution in watch.client.list_workflows(query, limit=LIST_LIMIT):
        memo = await execution.memo()
        if memo.get("parent") not in parents:
            continue
        attributes = execution.typed_search_attributes
        region = (attributes.get(regions_key) or [parents[memo["parent"]]])[0]
        version = (attributes.get(versions_key) or ["?"])[0]
        status = attributes.get(sa.MODEL_STATUS) or "CHECKING"
        row = {"region": region, "version": version, "status": status, "detail": ""}
        if execution.status == WorkflowExecutionStatus.COMPLETED:
            row["ok"] = True
        elif execution.status not in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.CONTINUED_AS_NEW):
            row["ok"], row["error"] = False, f"{status}: {execution.status.name.lower()}"
        rows[(region, version)] = row
    return rows


async def _described_rows(watch: Watch) -> dict[tuple[str, str], dict]:
    """Without search attributes: describe each per-version workflow id (execution status only)."""
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.service import RPCError

    rows: dict[tuple[str, str], dict] = {}
    for region in watch.regions:
        for version in watch.versions:
            try:
                described = await watch.client.get_workflow_handle(f"{watch.project}/{region}/{version}").describe()
            except RPCError:
                continue
            if described.start_time is None or described.start_time < watch.started_at:
                continue
            running = described.status == WorkflowExecutionStatus.RUNNING
            rows[(region, version)] = {"region": region, "version": version,
                                       "status": "IN_PROGRESS" if running else described.status.name,
                                       "detail": "", **({} if running else {"ok": described.status.name == "COMPLETED"})}
    return rows


async def _queue_detail(watch: Watch) -> tuple[str, str]:
    """Before any version workflow of this run exists: waiting for its turn, or starting."""
    from temporalio.service import RPCError

    try:
        described = await watch.client.get_workflow_handle(watch.run_id).describe()
        if described.start_time is not None and described.start_time >= watch.started_at:
            return "STARTING", "the project's owner started it"
    except RPCError:
        pass
    if watch.searchable:
        query = (f"ProjectName = '{watch.project}' AND WorkflowType = 'ProjectOperationWorkflow' "
                 f"AND ExecutionStatus = 'Running'")
        others = [e.id async for e in watch.client.list_workflows(query, limit=5) if e.id != watch.run_id]
        if others:
            return "QUEUED", f"waiting for {', '.join(others)}"
    return "QUEUED", "handed to the project's owner"


async def read_progress(watch: Watch) -> dict:
    """The live table's rows for this operation, in the shape of the front door's `progress` query."""
    found = await (_version_rows(watch) if watch.searchable else _described_rows(watch))
    if found:
        rows = _placeholder_rows(watch, "PENDING", watch.waiting)
        if not watch.versions:  # whole project: the versions are found as they start
            rows = {key: row for key, row in rows.items() if key[0] not in {k[0] for k in found}}
        rows.update(found)
    else:
        rows = _placeholder_rows(watch, *await _queue_detail(watch))
    ordered = sorted(rows.values(), key=lambda r: (watch.regions.index(r["region"]) if r["region"] in watch.regions
                                                   else len(watch.regions), r["version"]))
    return {"operation": watch.operation, "project": watch.project, "rows": ordered, "done": False}
