"""Evaluation of policies for one request, on moto's policy loading (`moto.iam.access_control.IAMPolicy`).

Logic from the IAM User Guide, "Policy evaluation logic" (same-account requests): an explicit Deny in any
applicable policy wins; otherwise the request is allowed when an identity-based policy or a resource-based
policy that names the principal itself allows it; otherwise it is implicitly denied. A resource-based policy
whose principal is the account (root ARN or account id) grants nothing by itself: it delegates to identity
policies. moto's statement matcher turns a failed condition into a Deny and ignores most operators, so
statements are matched here, with `conditions.conditions_hold`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.iam.access_control import IAMPolicy

from .conditions import UnsupportedCondition, conditions_hold, wildcard

ALLOW, DENY, NONE = "allow", "deny", "none"


@dataclass(frozen=True)
class Principal:
    """An issued identity: an IAM user, or an STS session of `role_arn`."""

    arn: str
    account: str
    role_arn: str | None = None

    @property
    def kind(self) -> str:
        return "AssumedRole" if self.role_arn else "User"


def load(policy: Any) -> dict[str, Any]:
    """A policy document from whatever moto stores (managed Policy, inline dict, JSON string)."""
    return IAMPolicy(policy)._policy_json


def listed(value: Any) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches_any(patterns: Any, value: str, ignore_case: bool = False) -> bool:
    return any(wildcard(p, value, ignore_case) for p in listed(patterns))


def principal_named(statement: dict[str, Any], principal: Principal) -> str:
    """'self' when the statement's Principal names this identity (or everyone), 'account' when it names only
    the principal's account, '' otherwise (services, federated users, other accounts)."""
    named = statement.get("Principal")
    if named == "*":
        return "self"
    if not isinstance(named, dict):
        return ""
    aws = listed(named.get("AWS"))
    if "*" in aws or principal.arn in aws or (principal.role_arn and principal.role_arn in aws):
        return "self"
    if principal.account in aws or f"arn:aws:iam::{principal.account}:root" in aws:
        return "account"
    return ""


def statement_effect(statement: dict[str, Any], action: str, resource: str, context: dict[str, Any]) -> str:
    """ALLOW/DENY when the statement applies to (action, resource, context), NONE when it does not."""
    if "NotAction" in statement:
        if _matches_any(statement["NotAction"], action, ignore_case=True):
            return NONE
    elif not _matches_any(statement.get("Action"), action, ignore_case=True):
        return NONE
    if "NotResource" in statement:
        if _matches_any(statement["NotResource"], resource):
            return NONE
    elif "Resource" in statement and not _matches_any(statement["Resource"], resource):
        return NONE
    effect = DENY if statement.get("Effect") == "Deny" else ALLOW
    try:
        holds = conditions_hold(statement.get("Condition"), context)
    except UnsupportedCondition:
        holds = effect == DENY  # fail closed: an unreadable Allow grants nothing, an unreadable Deny applies
    return effect if holds else NONE


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return listed(document.get("Statement"))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    explicit_deny_in: str = ""  # "identity-based" / "resource-based" when an explicit Deny decided


def evaluate(
    principal: Principal,
    identity_policies: list[dict[str, Any]],
    action: str,
    resource: str,
    context: dict[str, Any],
    resource_policy: dict[str, Any] | None = None,
) -> Decision:
    """Same-account evaluation of identity policies plus an optional resource-based policy."""
    allowed = False
    for document in identity_policies:
        for statement in _statements(document):
            effect = statement_effect(statement, action, resource, context)
            if effect == DENY:
                return Decision(False, "identity-based")
            allowed = allowed or effect == ALLOW
    for statement in _statements(resource_policy or {}):
        named = principal_named(statement, principal)
        if not named:
            continue
        effect = statement_effect(statement, action, resource, context)
        if effect == DENY:
            return Decision(False, "resource-based")
        if effect == ALLOW and named == "self":
            allowed = True
    return Decision(allowed)
