"""Project version lookups with a per-container TTL cache, negative entries included (stdlib + boto3 client).

DetectCustomLabels needs the version ARN, which embeds a creation timestamp, so it has to be looked up
(DescribeProjects + DescribeProjectVersions). A warm container keeps the answer for `ttl` seconds,
and also remembers "does not exist" for that long so a caller hammering an unknown version costs
no control-plane calls (which are throttled per account and region).
"""

import threading
import time
from dataclasses import dataclass

NOT_FOUND = "NOT_FOUND"
UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class VersionInfo:
    project: str
    version: str
    arn: str | None  # None when the project or version does not exist
    status: str  # a Rekognition status, NOT_FOUND, or UNKNOWN (lookup failed)
    fetched_at: float

    @property
    def exists(self) -> bool:
        return self.arn is not None


class VersionLookupError(Exception):
    """The control plane could not answer (throttled, unavailable); carries the botocore error."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


class VersionDirectory:
    """Looks up versions through a Rekognition client and caches the answers per (project, version)."""

    def __init__(self, client_provider, *, clock=time.monotonic):
        self._client_provider = client_provider
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], VersionInfo] = {}
        self._project_arns: dict[str, tuple[str | None, float]] = {}

    def get(
        self, project: str, version: str, max_age: float, project_max_age: float | None = None
    ) -> VersionInfo:
        """The cached entry if younger than max_age, else a fresh lookup (which refreshes the cache).

        The project ARN changes only if the project is deleted and recreated, so callers may keep it longer
        (project_max_age); a stale one is detected and looked up again.
        """
        with self._lock:
            entry = self._entries.get((project, version))
        if entry is not None and self._clock() - entry.fetched_at < max_age:
            return entry
        return self.refresh(
            project, version, project_max_age=max_age if project_max_age is None else project_max_age
        )

    def refresh(self, project: str, version: str, project_max_age: float = 0.0) -> VersionInfo:
        """Ask the control plane; raises VersionLookupError when it cannot answer."""
        try:
            project_arn = self._project_arn(project, project_max_age)
            entry = self._describe_version(project, version, project_arn)
            if entry is None:  # the cached project ARN is stale: the project was recreated or deleted
                entry = self._describe_version(project, version, self._project_arn(project, 0.0))
        except Exception as exc:
            if is_aws_error(exc):
                raise VersionLookupError(exc) from exc
            raise
        if entry is None:
            entry = VersionInfo(project, version, None, NOT_FOUND, self._clock())
        with self._lock:
            self._entries[(project, version)] = entry
        return entry

    def peek(self, project: str, version: str) -> VersionInfo | None:
        """The last answer whatever its age, without any call."""
        with self._lock:
            return self._entries.get((project, version))

    def forget(self, project: str, version: str) -> None:
        """Drop what we know (e.g. DetectCustomLabels said the ARN no longer exists)."""
        with self._lock:
            self._entries.pop((project, version), None)
            self._project_arns.pop(project, None)

    def _project_arn(self, project: str, max_age: float) -> str | None:
        now = self._clock()
        with self._lock:
            cached = self._project_arns.get(project)
        if cached is not None and now - cached[1] < max_age:
            return cached[0]
        arn = None
        client = self._client_provider()
        for page in client.get_paginator("describe_projects").paginate(ProjectNames=[project]):
            for description in page.get("ProjectDescriptions", []):
                if description["ProjectArn"].split("/")[1] == project:
                    arn = description["ProjectArn"]
        with self._lock:
            self._project_arns[project] = (arn, now)
        return arn

    def _describe_version(self, project: str, version: str, project_arn: str | None) -> VersionInfo | None:
        """The version's entry; None when the project ARN no longer exists."""
        now = self._clock()
        if project_arn is None:
            return VersionInfo(project, version, None, NOT_FOUND, now)
        client = self._client_provider()
        try:
            pages = client.get_paginator("describe_project_versions").paginate(
                ProjectArn=project_arn, VersionNames=[version]
            )
            for page in pages:
                for description in page.get("ProjectVersionDescriptions", []):
                    arn = description["ProjectVersionArn"]
                    if _version_name(arn) == version:
                        return VersionInfo(project, version, arn, description["Status"], now)
        except Exception as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
            with self._lock:
                self._project_arns.pop(project, None)
            return None
        return VersionInfo(project, version, None, NOT_FOUND, now)


def _version_name(version_arn: str) -> str:
    """arn:aws:rekognition:REGION:ACCOUNT:project/PROJECT/version/VERSION/TIMESTAMP -> VERSION."""
    parts = version_arn.split(":", 5)[-1].split("/")
    return parts[3] if len(parts) >= 4 else ""


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def is_aws_error(exc: Exception) -> bool:
    """botocore errors (ClientError and connection/timeouts) without importing botocore eagerly."""
    return any(cls.__module__.startswith("botocore") for cls in type(exc).__mro__)
