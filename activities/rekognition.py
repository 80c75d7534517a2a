"""Rekognition Custom Labels control-plane calls as activities (sync: they run on the worker's thread pool).

Each activity does one short call (or a small fixed number) and returns a small dataclass; polling and
waiting belong to the workflows. Calls that race with a transition (start on a version that is already
starting, ...) are answered idempotently instead of failing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.clients import ClientFactory
from activities.errors import aws_call, permanent
from workflows import activity_api as api
from workflows import polling
from workflows.models import (
    AwaitStatusInput,
    CreateVersionInput,
    CreateVersionResult,
    DeleteProjectResult,
    DescribeVersionInput,
    EnsureProjectInput,
    EnsureProjectResult,
    ProjectInput,
    ProjectStatus,
    ResolvedProject,
    ResolveVersionsInput,
    StartVersionInput,
    VersionArnInput,
    VersionDescription,
)
from workflows.polling import PollContext
from workflows.transitions import DELETED, WAITING, classify

MAX_NAMES_PER_CALL = 10  # DescribeProjectVersions / DescribeProjects accept at most 10 names


def version_name_from_arn(arn: str) -> str:
    """`arn:aws:rekognition:r:a:project/{project}/version/{version}/{ms}` -> version."""
    parts = arn.split("/")
    return parts[parts.index("version") + 1] if "version" in parts else parts[-2]


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value).astimezone().isoformat()
    return str(value) if value else None


def _description(item: dict, name: str | None = None) -> VersionDescription:
    return VersionDescription(
        exists=True,
        version=name or version_name_from_arn(item["ProjectVersionArn"]),
        arn=item["ProjectVersionArn"],
        status=item.get("Status"),
        message=item.get("StatusMessage"),
        created_at=_iso(item.get("CreationTimestamp")),
    )


def _manifest_asset(bucket: str, key: str) -> dict:
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}


class RekognitionActivities:
    def __init__(self, clients: ClientFactory):
        self.clients = clients

    def _rek(self, region: str):
        return self.clients("rekognition", region)

    # -------------------------------------------------------------- projects

    def find_project(self, region: str, project: str) -> dict | None:
        """The project's DescribeProjects entry (datasets included), None when it does not exist."""
        with aws_call(region, "DescribeProjects"):
            found = self._rek(region).describe_projects(ProjectNames=[project]).get("ProjectDescriptions", [])
        matches = [p for p in found if p["ProjectArn"].split("/")[1] == project]
        return matches[0] if matches else None

    @activity.defn(name=api.ENSURE_PROJECT)
    def ensure_project(self, inp: EnsureProjectInput) -> EnsureProjectResult:
        """Create the project if it is missing (a concurrent creation is not an error)."""
        found = self.find_project(inp.region, inp.project)
        if found and found.get("Status") == "DELETING":
            raise permanent(f"{inp.region}: project {inp.project} is being deleted; retry when it is gone", "ResourceInUseException")
        if found:
            return EnsureProjectResult(found["ProjectArn"], False)
        try:
            with aws_call(inp.region, "CreateProject"):
                arn = self._rek(inp.region).create_project(ProjectName=inp.project)["ProjectArn"]
        except Exception as exc:
            if getattr(exc, "type", None) != "ResourceInUseException":
                raise
            found = self.find_project(inp.region, inp.project)
            if not found:
                raise
            return EnsureProjectResult(found["ProjectArn"], False)
        return EnsureProjectResult(arn, True)

    @activity.defn(name=api.DESCRIBE_PROJECT)
    def describe_project(self, inp: ProjectInput) -> ProjectStatus:
        name = inp.project_arn.split("/")[1]
        found = self.find_project(inp.region, name)
        if not found or found["ProjectArn"] != inp.project_arn:
            return ProjectStatus(False)
        return ProjectStatus(True, found.get("Status"))

    @activity.defn(name=api.DELETE_PROJECT)
    def delete_project(self, inp: ProjectInput) -> DeleteProjectResult:
        """Delete the project's datasets, then the project (versions must be gone already)."""
        name = inp.project_arn.split("/")[1]
        found = self.find_project(inp.region, name)
        if not found:
            return DeleteProjectResult(0, "DELETED")
        datasets = found.get("Datasets") or []
        client = self._rek(inp.region)
        for dataset in datasets:
            if dataset.get("Status") == "DELETE_IN_PROGRESS":
                continue
            try:
                with aws_call(inp.region, "DeleteDataset"):
                    client.delete_dataset(DatasetArn=dataset["DatasetArn"])
            except Exception as exc:
                if getattr(exc, "type", None) != "ResourceNotFoundException":
                    raise
        if found.get("Status") == "DELETING":
            return DeleteProjectResult(len(datasets), "DELETING")
        if datasets:
            # DeleteDataset is asynchronous and DeleteProject is refused while a dataset exists (API reference,
            # DeleteProject / DeleteDataset): let the retry policy call again once they are gone.
            raise ApplicationError(
                f"{inp.region}: {len(datasets)} dataset(s) of project {name} are being deleted; the project follows",
                type="DatasetsBeingDeleted", category=ApplicationErrorCategory.BENIGN,
            )
        with aws_call(inp.region, "DeleteProject"):
            status = client.delete_project(ProjectArn=inp.project_arn).get("Status")
        return DeleteProjectResult(len(datasets), status)

    # -------------------------------------------------------------- versions

    def versions(self, region: str, project_arn: str, names: list[str] | None) -> list[dict]:
        """DescribeProjectVersions entries of the named versions (all of them when `names` is None)."""
        client = self._rek(region)
        items: list[dict] = []
        batches = [names[i : i + MAX_NAMES_PER_CALL] for i in range(0, len(names), MAX_NAMES_PER_CALL)] if names else [None]
        for batch in batches:
            kwargs: dict[str, Any] = {"ProjectArn": project_arn}
            if batch:
                kwargs["VersionNames"] = batch
            with aws_call(region, "DescribeProjectVersions"):
                for page in client.get_paginator("describe_project_versions").paginate(**kwargs):
                    items.extend(page.get("ProjectVersionDescriptions", []))
        return items

    @activity.defn(name=api.RESOLVE_VERSIONS)
    def resolve_versions(self, inp: ResolveVersionsInput) -> ResolvedProject:
        """The seed's "Get Model Details": the project ARN and the ARN/status of each named version (or all)."""
        project = self.find_project(inp.region, inp.project)
        if project is None:
            return ResolvedProject(None, [], list(inp.versions))
        try:
            items = self.versions(inp.region, project["ProjectArn"], list(inp.versions) or None)
        except Exception as exc:
            if getattr(exc, "type", None) == "ResourceNotFoundException":  # deleted between the two calls
                return ResolvedProject(None, [], list(inp.versions))
            raise
        found = {version_name_from_arn(i["ProjectVersionArn"]): _description(i) for i in items}
        wanted = list(inp.versions) or sorted(found)
        return ResolvedProject(
            project["ProjectArn"], [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]
        )

    @activity.defn(name=api.DESCRIBE_VERSION)
    def describe_version(self, inp: DescribeVersionInput) -> VersionDescription:
        try:
            items = self.versions(inp.region, inp.project_arn, [inp.version])
        except Exception as exc:
            if getattr(exc, "type", None) == "ResourceNotFoundException":  # the project itself is gone
                return VersionDescription(False, inp.version)
            raise
        items = [i for i in items if version_name_from_arn(i["ProjectVersionArn"]) == inp.version]
        return _description(items[0], inp.version) if items else VersionDescription(False, inp.version)

    @activity.defn(name=api.AWAIT_VERSION_STATUS)
    def await_version_status(self, inp: AwaitStatusInput) -> VersionDescription:
        """One poll of a lean wait: the description once the phase is over, else a retryable StillWaiting whose
        next_retry_delay is the schedule's next delay (the "infrequent polling" pattern: Temporal retries the
        activity, no history per poll). Attempt N is poll polls_before + N of the wait."""
        found = self.describe_version(DescribeVersionInput(inp.region, inp.project_arn, inp.version))
        status = found.status if found.exists else DELETED
        if classify(inp.phase, status) != WAITING:
            return found
        info = activity.info()
        # the server's clock (the workflow's time base; a time-skipping test server's too), not this host's
        elapsed = (info.current_attempt_scheduled_time - datetime.fromisoformat(inp.phase_started_at)).total_seconds()
        context = PollContext(inp.phase, max(0.0, elapsed), inp.polls_before + info.attempt, inp.max_interval_seconds)
        delay = polling.next_delay(context, inp.poll_policy)
        raise ApplicationError(f"still {status}", type=api.STILL_WAITING, category=ApplicationErrorCategory.BENIGN,
                               next_retry_delay=timedelta(seconds=delay))

    @activity.defn(name=api.CREATE_VERSION)
    def create_version(self, inp: CreateVersionInput) -> CreateVersionResult:
        """Create the version, or report the existing one with that name (never a duplicate).

        The workflow looked for the version just before, so a first attempt creates at once; a retry (whose first
        attempt may have created it and lost the answer) looks first. A new version is TRAINING_IN_PROGRESS
        (API reference, CreateProjectVersion): nothing to describe after it either."""
        if activity.info().attempt > 1:
            existing = self.describe_version(DescribeVersionInput(inp.region, inp.project_arn, inp.version))
            if existing.exists:
                return CreateVersionResult(existing.arn, existing.status, True, existing.created_at)
        client = self._rek(inp.region)
        try:
            with aws_call(inp.region, "CreateProjectVersion"):
                arn = client.create_project_version(
                    ProjectArn=inp.project_arn,
                    VersionName=inp.version,
                    OutputConfig={"S3Bucket": inp.output_bucket, "S3KeyPrefix": inp.output_prefix},
                    TrainingData={"Assets": [_manifest_asset(inp.training_bucket, inp.manifest_key)]},
                    TestingData=(
                        {"Assets": [_manifest_asset(inp.training_bucket, inp.test_manifest_key)]}
                        if inp.test_manifest_key else {"AutoCreate": True}
                    ),
                )["ProjectVersionArn"]
        except Exception as exc:
            if getattr(exc, "type", None) != "ResourceInUseException":
                raise
            existing = self.describe_version(DescribeVersionInput(inp.region, inp.project_arn, inp.version))
            if not existing.exists:
                raise
            return CreateVersionResult(existing.arn, existing.status, True, existing.created_at)
        return CreateVersionResult(arn, "TRAINING_IN_PROGRESS", False)

    def _transition(self, region: str, arn: str, operation: str, call, accept: set[str]) -> str:
        """Run a start/stop/delete; if Rekognition refuses because the version is already on its way, say so."""
        try:
            with aws_call(region, operation):
                return call().get("Status") or ""
        except Exception as exc:
            if getattr(exc, "type", None) != "ResourceInUseException":
                raise
            status = self._status_by_arn(region, arn)
            if status in accept:
                return status
            raise

    def _items_named_like(self, region: str, arn: str) -> list[dict]:
        """DescribeProjectVersions items of the version an ARN names (the project ARN has its own timestamp, so
        the project is looked up by name)."""
        project = self.find_project(region, arn.split("/")[1])
        if project is None:
            return []
        return self.versions(region, project["ProjectArn"], [version_name_from_arn(arn)])

    def describe_by_arn(self, region: str, arn: str) -> dict | None:
        """The DescribeProjectVersions item of exactly this version ARN; None when it does not exist."""
        return next((item for item in self._items_named_like(region, arn) if item["ProjectVersionArn"] == arn), None)

    def _status_by_arn(self, region: str, arn: str) -> str | None:
        """Status of a version given its ARN."""
        items = self._items_named_like(region, arn)
        return items[0].get("Status") if items else None

    @activity.defn(name=api.START_VERSION)
    def start_version(self, inp: StartVersionInput) -> str:
        kwargs: dict[str, Any] = {"ProjectVersionArn": inp.version_arn, "MinInferenceUnits": inp.min_inference_units}
        if inp.max_inference_units is not None:
            kwargs["MaxInferenceUnits"] = inp.max_inference_units
        client = self._rek(inp.region)
        return self._transition(
            inp.region, inp.version_arn, "StartProjectVersion", lambda: client.start_project_version(**kwargs),
            {"STARTING", "RUNNING"},
        )

    @activity.defn(name=api.STOP_VERSION)
    def stop_version(self, inp: VersionArnInput) -> str:
        client = self._rek(inp.region)
        return self._transition(
            inp.region, inp.version_arn, "StopProjectVersion",
            lambda: client.stop_project_version(ProjectVersionArn=inp.version_arn), {"STOPPING", "STOPPED"},
        )

    @activity.defn(name=api.DELETE_VERSION)
    def delete_version(self, inp: VersionArnInput) -> str:
        client = self._rek(inp.region)
        try:
            return self._transition(
                inp.region, inp.version_arn, "DeleteProjectVersion",
                lambda: client.delete_project_version(ProjectVersionArn=inp.version_arn), {"DELETING"},
            )
        except Exception as exc:
            if getattr(exc, "type", None) == "ResourceNotFoundException":  # already gone
                return "DELETED"
            raise
