"""What every Custom Labels operation shares: the registry, who is calling, ARN lookups, parameter checks, pages.

Handlers register with `@operation` under the API name built from the function name (`create_dataset` ->
`CreateDataset`); each takes the decoded JSON request and returns the JSON response dict (timestamps as epoch
seconds, as the JSON protocol sends them).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from .errors import RekognitionError, invalid, not_found
from .store import Dataset, Project, Store, Version

NAME = re.compile(r"[a-zA-Z0-9_.\-]{1,255}")
PROJECT_ARN = re.compile(r"^arn:aws:rekognition:([a-z0-9-]+):(\d{12}):project/([a-zA-Z0-9_.\-]{1,255})/(\d+)$")
VERSION_ARN = re.compile(
    r"^arn:aws:rekognition:([a-z0-9-]+):(\d{12}):project/([a-zA-Z0-9_.\-]{1,255})/version/([a-zA-Z0-9_.\-]{1,255})/(\d+)$"
)
DATASET_ARN = re.compile(
    r"^arn:aws:rekognition:([a-z0-9-]+):(\d{12}):project/([a-zA-Z0-9_.\-]{1,255})/dataset/(train|test)/(\d+)$"
)
OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {}


def operation(func):
    OPERATIONS["".join(part.title() for part in func.__name__.split("_"))] = func
    return func


def name_param(value: Any, field: str) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise invalid(f"{field} must be 1-255 characters of [a-zA-Z0-9_.-], got {value!r}.")
    return value


def page_size(params: dict[str, Any], largest: int = 100) -> int:
    """MaxResults: 1..largest, default largest (API reference of each List/Describe operation)."""
    value = params.get("MaxResults", largest)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= largest:
        raise invalid(f"MaxResults must be an integer between 1 and {largest}, got {value!r}.")
    return value


def page(items: list, params: dict[str, Any], largest: int = 100) -> tuple[list, str | None]:
    """Slice a page; NextToken is an opaque offset, rejected if tampered with (an empty one starts over)."""
    size = page_size(params, largest)
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
            start = int(decoded["offset"])
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise RekognitionError("InvalidPaginationTokenException", "Invalid pagination token.") from exc
        if start < 0:
            raise RekognitionError("InvalidPaginationTokenException", "Invalid pagination token.")
    chunk = items[start : start + size]
    next_token = None
    if start + size < len(items):
        next_token = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode()
    return chunk, next_token


def paged(key: str, items: list, params: dict[str, Any], largest: int = 100) -> dict[str, Any]:
    chunk, next_token = page(items, params, largest)
    response: dict[str, Any] = {key: chunk}
    if next_token:
        response["NextToken"] = next_token
    return response


class Context:
    """Who is calling where; built per request by the dispatcher."""

    def __init__(self, store: Store, account: str, region: str) -> None:
        self.store = store
        self.account = account
        self.region = region

    @property
    def projects(self) -> dict[str, Project]:
        return self.store.region_projects(self.account, self.region)

    def _here(self, match: re.Match) -> bool:
        return match.group(1) == self.region and match.group(2) == self.account

    def project_by_arn(self, arn: Any) -> Project:
        match = PROJECT_ARN.match(arn) if isinstance(arn, str) else None
        if not match:
            raise invalid(f"ProjectArn {arn!r} is not a valid project ARN.")
        project = self.projects.get(match.group(3))
        if not self._here(match) or project is None or project.arn != arn:
            raise not_found(f"The project {arn} does not exist.")
        return project

    def version_by_arn(self, arn: Any) -> Version:
        match = VERSION_ARN.match(arn) if isinstance(arn, str) else None
        if not match:
            raise invalid(f"ProjectVersionArn {arn!r} is not a valid project version ARN.")
        project = self.projects.get(match.group(3))
        version = project.versions.get(match.group(4)) if project else None
        if not self._here(match) or version is None or version.arn != arn:
            raise not_found(f"The project version {arn} does not exist.")
        return version

    def dataset_by_arn(self, arn: Any, field: str = "DatasetArn") -> Dataset:
        match = DATASET_ARN.match(arn) if isinstance(arn, str) else None
        if not match:
            raise invalid(f"{field} {arn!r} is not a valid dataset ARN.")
        project = self.projects.get(match.group(3))
        dataset = project.datasets.get(match.group(4).upper()) if project else None
        if not self._here(match) or dataset is None or dataset.arn != arn:
            raise not_found(f"The dataset {arn} does not exist.")
        return dataset

    def resource_by_arn(self, arn: Any) -> Project | Version | Dataset:
        """A taggable Custom Labels resource (project, model version or dataset)."""
        if not isinstance(arn, str) or not 20 <= len(arn) <= 2048:
            raise invalid(f"ResourceArn {arn!r} must be an ARN of 20 to 2048 characters.")
        for pattern, lookup in ((VERSION_ARN, self.version_by_arn), (DATASET_ARN, self.dataset_by_arn),
                                (PROJECT_ARN, self.project_by_arn)):
            if pattern.match(arn):
                return lookup(arn)
        if arn.startswith("arn:aws:rekognition:"):
            raise not_found(f"The resource {arn} does not exist.")
        raise invalid(f"ResourceArn {arn!r} is not an Amazon Rekognition ARN.")
