"""Tags on projects, model versions and datasets: TagResource, UntagResource, ListTagsForResource and the
`Tags` of CreateProject, CreateProjectVersion and CreateDataset.

Limits from the API reference (API_TagResource.html): at most 200 tags; keys 1-128 characters of
`[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]` not starting with `aws:`, values 0-256 characters of the same set. A resource
that would hold more than 200 tags is refused with ServiceQuotaExceededException, which the reference lists
for TagResource.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .api import Context, operation
from .errors import RekognitionError, invalid

MAX_TAGS = 200
_ALLOWED_PUNCTUATION = set("_.:/=+-@")


def _allowed(text: str) -> bool:
    """\\p{L}, \\p{Z}, \\p{N} and `_.:/=+-@`, as the reference's pattern has it."""
    return all(
        unicodedata.category(char)[0] in "LZN" or char in _ALLOWED_PUNCTUATION for char in text
    )


def _key(key: Any) -> str:
    if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.startswith("aws:") or not _allowed(key):
        raise invalid(f"Tag key {key!r} must be 1-128 letters, digits, spaces or _.:/=+-@ and not start with 'aws:'.")
    return key


def checked_tags(value: Any, field: str = "Tags") -> dict[str, str]:
    """The tags of a request, or InvalidParameterException naming what is wrong."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_TAGS:
        raise invalid(f"{field} must be a map of at most {MAX_TAGS} tags.")
    for key, tag_value in value.items():
        _key(key)
        if not isinstance(tag_value, str) or len(tag_value) > 256 or not _allowed(tag_value):
            raise invalid(f"The value of tag {key!r} must be 0-256 letters, digits, spaces or _.:/=+-@.")
    return dict(value)


@operation
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    resource = ctx.resource_by_arn(params.get("ResourceArn"))
    if "Tags" not in params:
        raise invalid("Tags is required.")
    tags = checked_tags(params["Tags"])
    combined = {**resource.tags, **tags}
    if len(combined) > MAX_TAGS:
        raise RekognitionError("ServiceQuotaExceededException",
                               f"A resource can have at most {MAX_TAGS} tags; this one would have {len(combined)}.")
    resource.tags = combined
    return {}


@operation
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    resource = ctx.resource_by_arn(params.get("ResourceArn"))
    keys = params.get("TagKeys")
    if not isinstance(keys, list) or len(keys) > MAX_TAGS:
        raise invalid(f"TagKeys must list at most {MAX_TAGS} keys.")
    for key in keys:
        resource.tags.pop(_key(key), None)
    return {}


@operation
def list_tags_for_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": dict(ctx.resource_by_arn(params.get("ResourceArn")).tags)}
