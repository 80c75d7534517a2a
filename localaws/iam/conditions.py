"""Condition blocks of IAM policies (moto's own evaluator knows only StringEquals and ignores the rest).

Semantics from the IAM User Guide, "IAM JSON policy elements: Condition operators": keys of one block and
blocks of one statement are ANDed, values of one key are ORed, `...IfExists` and the negated operators are
true when the key is absent from the request, `Null` tests presence, `ForAnyValue:`/`ForAllValues:` compare
multivalued keys. An operator we do not implement raises `UnsupportedCondition`: the caller then treats the
statement so that the request can only lose (an Allow does not apply, a Deny does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class UnsupportedCondition(ValueError):
    """A condition operator the local endpoint cannot evaluate."""


def wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's `*` (any run) and `?` (one character) matching, everything else literal."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise UnsupportedCondition(f"{value!r} is not a number") from exc


_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda actual, expected: actual == expected,
    "StringEqualsIgnoreCase": lambda actual, expected: actual.lower() == expected.lower(),
    "StringLike": wildcard,
    "ArnEquals": lambda actual, expected: actual == expected,
    "ArnLike": wildcard,
    "Bool": lambda actual, expected: actual.lower() == str(expected).lower(),
    "NumericEquals": lambda actual, expected: _number(actual) == _number(expected),
    "NumericLessThan": lambda actual, expected: _number(actual) < _number(expected),
    "NumericLessThanEquals": lambda actual, expected: _number(actual) <= _number(expected),
    "NumericGreaterThan": lambda actual, expected: _number(actual) > _number(expected),
    "NumericGreaterThanEquals": lambda actual, expected: _number(actual) >= _number(expected),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _key_holds(operator: str, expected: list[str], actual: Any) -> bool:
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    operator = operator.removesuffix("IfExists") if if_exists else operator
    if operator == "Null":
        return (actual is None) == (expected[0].lower() == "true")
    negated = operator in _NEGATED
    test = _POSITIVE.get(_NEGATED.get(operator, operator))
    if test is None or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise UnsupportedCondition(f"condition operator {qualifier + ':' if qualifier else ''}{operator}")
    if actual is None:
        return if_exists or negated or qualifier == "ForAllValues"
    values = _as_list(actual)

    def one(value: str) -> bool:
        hit = any(test(value, e) for e in expected)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    return any(one(v) for v in values)


def conditions_hold(block: dict[str, Any] | None, context: dict[str, Any]) -> bool:
    """True when every operator and key of a statement's Condition holds for the request context."""
    for operator, keys in (block or {}).items():
        if not isinstance(keys, dict):
            raise UnsupportedCondition(f"condition {operator} is not an object")
        for key, expected in keys.items():
            actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)  # keys: any case
            if not _key_holds(operator, _as_list(expected), actual):
                return False
    return True
