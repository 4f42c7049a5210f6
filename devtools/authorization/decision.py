"""Allowed or denied: the caller's identity policies and the callee's resource policy, combined as IAM combines them.

- An explicit Deny in either policy wins.
- In one account, an Allow in either is enough, except that a role's trust policy must always allow the assumption.
  A resource policy that names the account (its root or its id) only delegates to the account's identity policies.
- Across accounts, both must allow.
- A service principal has no identity policies: only the resource policy can let it in.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from devtools.authorization.policy import Request, Statement, matching_statements


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def _sid(statement: Statement) -> str:
    return str(statement.get("Sid") or f"{statement.get('Effect')} {statement.get('Action')}")


@dataclass(frozen=True)
class _Allows:
    identity: bool  # an identity policy statement allows it
    named: bool  # a resource policy statement allows the caller by name (or every principal)
    delegated: bool  # a resource policy statement allows the caller's account, leaving it to identity policies

    @property
    def resource(self) -> bool:
        return self.named or (self.delegated and self.identity)


def decide(
    request: Request,
    *,
    identity: Sequence[Statement],
    resource_policy: Sequence[Statement] | None,
    resource_account: str,
) -> Decision:
    """`resource_policy` None: the resource type has no resource policy (a DynamoDB table here, a log stream)."""
    identity_matches = matching_statements(identity, request, resource_policy=False)
    resource_matches = matching_statements(resource_policy or [], request, resource_policy=True)
    for match in (*identity_matches, *resource_matches):
        if match.statement.get("Effect") == "Deny":
            return Decision(False, f"explicitly denied by {_sid(match.statement)}")
    allows = _Allows(
        identity=any(m.statement.get("Effect") == "Allow" for m in identity_matches),
        named=any(m.statement.get("Effect") == "Allow" and not m.through_account for m in resource_matches),
        delegated=any(m.statement.get("Effect") == "Allow" and m.through_account for m in resource_matches),
    )
    if request.action.lower().startswith("sts:assumerole"):
        return _assume_role(allows)
    if request.principal.kind != "AWS":
        return _by_resource_policy(
            allows, "the resource policy allows the service", "no resource policy statement allows the service"
        )
    if request.principal.account == resource_account:
        return Decision(
            allows.identity or allows.resource,
            "allowed in the account"
            if allows.identity or allows.resource
            else "no identity or resource policy allows it",
        )
    if allows.identity and allows.resource:
        return Decision(True, "both accounts allow it")
    missing = "the resource policy" if allows.identity else "the caller's identity policy"
    return Decision(False, f"across accounts, {missing} does not allow it")


def _assume_role(allows: _Allows) -> Decision:
    """A trust policy must allow an assumption even within one account."""
    if not allows.resource and allows.delegated:
        return Decision(False, "the trust policy leaves it to the caller's identity policy, which does not allow it")
    return _by_resource_policy(allows, "the trust policy allows it", "the role's trust policy does not allow it")


def _by_resource_policy(allows: _Allows, allowed: str, denied: str) -> Decision:
    return Decision(True, allowed) if allows.resource else Decision(False, denied)
