"""S3 replication rules as S3 applies them: filters, priorities, and the GetBucketReplication shape.

moto keeps a PutBucketReplication body as parsed XML (`Rule` may be one dict or a list, values are strings).
"""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def rule_filter(rule: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """(prefix, [(tag key, value)]) of a rule, from Filter (V2) or the legacy top-level Prefix."""
    if "Filter" not in rule:
        return rule.get("Prefix") or "", []
    flt = rule.get("Filter") or {}
    if "And" in flt:
        flt = flt["And"] or {}
    tags = [(tag.get("Key", ""), tag.get("Value") or "") for tag in as_list(flt.get("Tag"))]
    return flt.get("Prefix") or "", tags


def _matches(rule: dict[str, Any], key: str, tags: dict[str, str]) -> bool:
    if rule.get("Status") != "Enabled":
        return False
    prefix, wanted = rule_filter(rule)
    return key.startswith(prefix) and all(tags.get(k) == v for k, v in wanted)


def destination_bucket(rule: dict[str, Any]) -> str:
    bucket = (rule.get("Destination") or {}).get("Bucket", "")
    return bucket.split(":::", 1)[-1]


def rules_by_destination(config: dict[str, Any] | None, key: str, tags: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The winning rule for every destination bucket this key replicates to."""
    chosen: dict[str, dict[str, Any]] = {}
    for rule in as_list((config or {}).get("Rule")):
        if not _matches(rule, key, tags):
            continue
        destination = destination_bucket(rule)
        current = chosen.get(destination)
        if current is None or int(rule.get("Priority") or 0) > int(current.get("Priority") or 0):
            chosen[destination] = rule
    return chosen


def rule_for_api(rule: dict[str, Any]) -> dict[str, Any]:
    """A stored (XML-parsed) rule in the shape of the GetBucketReplication output."""
    api: dict[str, Any] = {"ID": rule.get("ID"), "Priority": int(rule.get("Priority") or 0), "Status": rule.get("Status")}
    if "Filter" in rule:
        flt = rule.get("Filter") or {}
        if "And" in flt:
            inner = flt["And"] or {}
            api["Filter"] = {"And": {"Prefix": inner.get("Prefix") or "", "Tags": as_list(inner.get("Tag"))}}
        elif "Tag" in flt:
            api["Filter"] = {"Tag": flt["Tag"]}
        else:
            api["Filter"] = {"Prefix": flt.get("Prefix") or ""}
    else:
        api["Prefix"] = rule.get("Prefix") or ""
    for name in ("DeleteMarkerReplication", "Destination", "SourceSelectionCriteria", "ExistingObjectReplication"):
        if rule.get(name):
            api[name] = rule[name]
    return api
