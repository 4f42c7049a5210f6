"""Calls that must be denied, made from the calls that must be allowed, so every new edge brings its own probes:

- the same call without TLS (`aws:SecureTransport` false), where the callee has a resource policy;
- the same service call on behalf of another account's resource (`aws:SourceArn`/`aws:SourceAccount` of
  another account: the confused deputy);
- a principal of another account calling each resource that has a resource policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from devtools.authorization.calls import Call, role
from devtools.authorization.policies import Policies

OTHER_ACCOUNT = "222222222222"
OUTSIDER = f"arn:aws:iam::{OTHER_ACCOUNT}:role/outsider"
_SOURCE_KEYS = ("aws:SourceArn", "aws:SourceAccount", "AWS:SourceOwner")


def _foreign(value: str, account: str) -> str:
    return value.replace(account, OTHER_ACCOUNT)


def _with_foreign_source(call: Call) -> Call | None:
    account = str(call.documented.get("aws:SourceAccount") or call.possible.get("aws:SourceAccount") or "")
    if not account:
        return None
    documented = {k: _foreign(str(v), account) if k in _SOURCE_KEYS else v for k, v in call.documented.items()}
    possible = {k: _foreign(str(v), account) if k in _SOURCE_KEYS else v for k, v in call.possible.items()}
    # The foreign keys must be sent for the probe to mean anything: they move to the documented ones.
    return replace(call, kind=f"{call.kind} (another account's source)", documented={**possible, **documented},
                   possible={}, expect_allowed=False)  # fmt: skip


def probes(allowed: Iterable[Call], policies: Policies) -> Iterator[Call]:
    """Every queue and topic must refuse a call without TLS, whether or not its policy allows anything else."""
    seen_outsider: set[tuple[str, str]] = set()
    for call in allowed:
        if call.resource == "*":
            continue
        if call.resource.split(":")[2] in ("sqs", "sns"):
            yield replace(call, kind=f"{call.kind} (without TLS)", expect_allowed=False,
                          documented={**call.documented, "aws:SecureTransport": "false"})  # fmt: skip
        if call.principal.kind == "Service":
            foreign = _with_foreign_source(call)
            if foreign:
                yield foreign
        key = (call.action, call.resource)
        if key not in seen_outsider and policies.resource(call.resource) is not None:
            seen_outsider.add(key)
            yield Call(f"{call.kind} (another account)", OUTSIDER, call.callee, role(OUTSIDER), call.action,
                       call.resource, expect_allowed=False)  # fmt: skip
