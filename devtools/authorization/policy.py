"""The part of IAM's policy language this app's policies use, evaluated offline.

One statement matches a request when its Action, Resource and Principal match and every condition holds; a policy
is a list of such statements. Anything outside the subset (NotPrincipal, policy variables, ForAnyValue, an operator
not below) raises `UnsupportedPolicy` instead of being guessed at: a check that skipped it would pass for the wrong
reason. The rules follow the IAM User Guide's policy reference:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Statement = dict[str, Any]
ContextValue = str | list[str]


class UnsupportedPolicy(Exception):
    """A policy uses IAM that this evaluator does not implement."""


@dataclass(frozen=True)
class Principal:
    """Who makes a call: an IAM role, a service, a web identity (federated) or an account's root."""

    kind: str  # "AWS", "Service" or "Federated"
    identifier: str  # a role ARN, an account root ARN, a service name or an identity provider's ARN

    @property
    def account(self) -> str | None:
        if self.kind == "AWS":
            return self.identifier.split(":")[4]
        return None


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


def _values(node: Any) -> list[str]:
    if isinstance(node, list):
        return [str(value) for value in node]
    return [str(node)]


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcards: `*` any run of characters, `?` one character; nothing else is special."""
    if "${" in pattern:
        raise UnsupportedPolicy(f"policy variable in {pattern!r}")
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def action_matches(patterns: Sequence[str], action: str) -> bool:
    return any(_glob(pattern, action, ignore_case=True) for pattern in patterns)


def resource_matches(patterns: Sequence[str], resource: str) -> bool:
    return any(_glob(pattern, resource) for pattern in patterns)


def principal_matches(node: Any, principal: Principal) -> tuple[bool, bool]:
    """(matches, through the account): a match through `arn:...:root` or an account id delegates to the account's
    identity policies, so it allows only together with one of them."""
    if node == "*":
        return True, False
    if not isinstance(node, dict):
        raise UnsupportedPolicy(f"principal {node!r}")
    for kind, identifiers in node.items():
        if kind not in ("AWS", "Service", "Federated"):
            raise UnsupportedPolicy(f"principal type {kind}")
        for identifier in _values(identifiers):
            if kind != principal.kind and identifier != "*":
                continue
            if identifier == "*" and kind == "AWS":
                return True, False
            if identifier == principal.identifier:
                return True, False
            account = principal.account
            if kind == "AWS" and account and identifier in (account, f"arn:aws:iam::{account}:root"):
                return True, True
    return False, False


def _string_equals(expected: str, actual: str) -> bool:
    return expected == actual


def _string_like(expected: str, actual: str) -> bool:
    return _glob(expected, actual)


def _bool(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    return lambda expected, actual: compare(float(actual), float(expected))


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": _string_equals,
    "StringEqualsIgnoreCase": lambda e, a: e.lower() == a.lower(),
    "StringLike": _string_like,
    "ArnEquals": _string_like,  # ARN operators take wildcards too
    "ArnLike": _string_like,
    "Bool": _bool,
    "NumericEquals": _numeric(lambda a, e: a == e),
    "NumericLessThan": _numeric(lambda a, e: a < e),
    "NumericLessThanEquals": _numeric(lambda a, e: a <= e),
    "NumericGreaterThan": _numeric(lambda a, e: a > e),
    "NumericGreaterThanEquals": _numeric(lambda a, e: a >= e),
}
_NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals",
            "ArnNotLike": "ArnLike"}  # fmt: skip


def _condition_holds(operator: str, key: str, expected: list[str], context: Mapping[str, ContextValue]) -> bool:
    lowered = {k.lower(): v for k, v in context.items()}
    present = key.lower() in lowered
    if operator == "Null":
        return (expected[0].lower() == "true") == (not present)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base.startswith("ForAnyValue:") or (base.startswith("ForAllValues:") and if_exists):
        raise UnsupportedPolicy(f"condition operator {operator}")
    if base.startswith("ForAllValues:"):
        return _for_all_values(base.removeprefix("ForAllValues:"), expected, lowered.get(key.lower()))
    if not present:
        # A missing key matches nothing: a positive operator fails, a negated one holds; IfExists holds either way.
        return if_exists or base in _NEGATED
    actual = _values(lowered[key.lower()])
    negated = base in _NEGATED
    compare = _OPERATORS.get(_NEGATED.get(base, base))
    if compare is None:
        raise UnsupportedPolicy(f"condition operator {operator}")
    matched = any(compare(e, a) for e in expected for a in actual)
    return not matched if negated else matched


def _for_all_values(base: str, expected: list[str], value: ContextValue | None) -> bool:
    """Every value of a multivalued key matches one of `expected`. It holds when the request has no such key or an
    empty one: a policy that relies on ForAllValues must also check the key is there (IAM User Guide, "Single-valued
    vs. multivalued context keys"), and this evaluator keeps that trap so a check finds it."""
    compare = _OPERATORS.get(base)
    if compare is None or base in _NEGATED:
        raise UnsupportedPolicy(f"condition operator ForAllValues:{base}")
    actual = _values(value) if value is not None else []
    return all(any(compare(e, a) for e in expected) for a in actual)


def conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, ContextValue]) -> bool:
    return all(
        _condition_holds(operator, key, _values(expected), context)
        for operator, keys in conditions.items()
        for key, expected in keys.items()
    )


@dataclass(frozen=True)
class Match:
    statement: Statement
    through_account: bool  # matched a resource policy's principal through the account, not by name


def _acts_on(statement: Statement, request: Request) -> bool:
    """Action and Resource (or their Not- forms) match the request."""
    if "NotAction" in statement:
        if action_matches(_values(statement["NotAction"]), request.action):
            return False
    elif not action_matches(_values(statement.get("Action", [])), request.action):
        return False
    if "NotResource" in statement:
        return not resource_matches(_values(statement["NotResource"]), request.resource)
    return resource_matches(_values(statement.get("Resource", "*")), request.resource)


def matching_statements(statements: Sequence[Statement], request: Request, *, resource_policy: bool) -> list[Match]:
    """The statements of one policy that apply to `request` (either effect)."""
    found = []
    for statement in statements:
        if "NotPrincipal" in statement:
            raise UnsupportedPolicy(f"NotPrincipal in {statement}")
        if not _acts_on(statement, request):
            continue
        matched, through_account = (
            principal_matches(statement.get("Principal"), request.principal) if resource_policy else (True, False)
        )
        if matched and conditions_hold(statement.get("Condition", {}), request.context):
            found.append(Match(statement, through_account))
    return found
