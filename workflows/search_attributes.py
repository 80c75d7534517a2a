"""Search attributes that make executions findable in the Web UI (`ProjectName = "AWSDeepRacer"`, ...).

They must be registered on the namespace before use: `local up` calls `register(client)` on the dev server;
on Temporal Cloud or a self-hosted cluster run the commands of `cli_commands()` once.
Workflows only set them when the worker found them registered (RegionalData.search_attributes_enabled),
because upserting an unregistered attribute fails the workflow task.
"""

from collections.abc import Sequence

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

PROJECT_NAME = SearchAttributeKey.for_keyword("ProjectName")
OPERATION = SearchAttributeKey.for_keyword("Operation")
VERSION_NAMES = SearchAttributeKey.for_keyword_list("VersionNames")
REGIONS = SearchAttributeKey.for_keyword_list("Regions")
# A per-version workflow's current Rekognition status (TRAINING_IN_PROGRESS, RUNNING, ...): set on real
# transitions only, read by the CLI's live table through visibility (no query) and shown in the Web UI.
MODEL_STATUS = SearchAttributeKey.for_keyword("ModelStatus")

ALL: tuple[SearchAttributeKey, ...] = (PROJECT_NAME, OPERATION, VERSION_NAMES, REGIONS, MODEL_STATUS)

# name -> type as `temporal operator search-attribute create --type` spells it
DEFINITIONS: dict[str, str] = {
    "ProjectName": "Keyword",
    "Operation": "Keyword",
    "VersionNames": "KeywordList",
    "Regions": "KeywordList",
    "ModelStatus": "Keyword",
}


def pairs(project: str, operation: str, versions: Sequence[str], regions: Sequence[str]) -> list[SearchAttributePair]:
    return [
        SearchAttributePair(PROJECT_NAME, project),
        SearchAttributePair(OPERATION, operation),
        SearchAttributePair(VERSION_NAMES, list(versions)),
        SearchAttributePair(REGIONS, list(regions)),
    ]


def updates(project: str, operation: str, versions: Sequence[str], regions: Sequence[str]) -> list[SearchAttributeUpdate]:
    """For workflow.upsert_search_attributes."""
    return [pair.key.value_set(pair.value) for pair in pairs(project, operation, versions, regions)]


def typed(project: str, operation: str, versions: Sequence[str], regions: Sequence[str]) -> TypedSearchAttributes:
    """For a child workflow's start (search_attributes=...)."""
    return TypedSearchAttributes(pairs(project, operation, versions, regions))


def cli_commands(namespace: str = "default") -> list[str]:
    """The `temporal operator search-attribute create` commands that register them."""
    return [
        f"temporal operator search-attribute create --namespace {namespace} --name {name} --type {kind}"
        for name, kind in DEFINITIONS.items()
    ]


async def missing(client, namespace: str | None = None) -> list[str]:
    """Names of our attributes not registered on the namespace (all of them if the server cannot say)."""
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest  # deferred: not for the sandbox

    try:
        response = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace or client.namespace)
        )
    except Exception:  # noqa: BLE001 - Cloud namespaces may refuse the operator API to this key
        return list(DEFINITIONS)
    return [name for name in DEFINITIONS if name not in response.custom_attributes]


async def register(client, namespace: str | None = None) -> list[str]:
    """Register the missing attributes on the namespace; returns the names it added."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest

    absent = await missing(client, namespace)
    if not absent:
        return []
    kinds = {"Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
             "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST}
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=namespace or client.namespace,
            search_attributes={name: kinds[DEFINITIONS[name]] for name in absent},
        )
    )
    return absent
