"""A call one AWS principal makes on the app's behalf, what it must come to, and how it is evaluated.

Each call is evaluated in every request context AWS might send it with: the keys AWS documents for that call are
always there, and `aws:SecureTransport` (which no page promises for a service's own calls) is tried both present
("true") and absent; keys a service may or may not send (`aws:SourceArn` when a service assumes a role) are tried
both ways too. A call must come out the same in all of them, so a policy cannot rely on an undocumented key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from devtools.authorization.decision import Decision, decide
from devtools.authorization.policies import Policies
from devtools.authorization.policy import ContextValue, Principal, Request, Statement

SECURE = {"aws:SecureTransport": "true"}


@dataclass(frozen=True)
class Call:
    kind: str  # what kind of edge, e.g. "alarm -> topic"
    caller: str  # construct path of what calls (or a description)
    callee: str  # construct path or ARN of what is called
    principal: Principal
    action: str
    resource: str
    documented: Mapping[str, ContextValue] = field(default_factory=dict)  # keys AWS sends, per its docs
    possible: Mapping[str, ContextValue] = field(default_factory=dict)  # keys AWS may send: tried with and without
    expect_allowed: bool = True
    # The identity policy of a caller outside the deployment (another account's role), taken as given.
    identity: tuple[Statement, ...] = ()

    def requests(self) -> Iterator[Request]:
        optional = {**SECURE, **self.possible}
        for extra in (optional, {}):
            yield Request(self.principal, self.action, self.resource, {**extra, **self.documented})

    def describe(self) -> str:
        verdict = "allowed" if self.expect_allowed else "denied"
        return f"{self.kind}: {self.caller} -> {self.action} on {self.callee} must be {verdict}"


@dataclass(frozen=True)
class Outcome:
    call: Call
    decisions: tuple[Decision, ...]

    @property
    def as_expected(self) -> bool:
        return all(d.allowed == self.call.expect_allowed for d in self.decisions)

    @property
    def reason(self) -> str:
        wrong = [d for d in self.decisions if d.allowed != self.call.expect_allowed]
        return (wrong or list(self.decisions))[0].reason


def evaluate(call: Call, policies: Policies) -> Outcome:
    identity = policies.identity(call.principal.identifier) if _is_app_role(call, policies) else list(call.identity)
    resource_policy = policies.resource(call.resource) if call.resource != "*" else None
    # A resource without an account in its ARN ("*", an S3 bucket) is the caller's own.
    account = (call.resource.split(":")[4] if call.resource.startswith("arn:") else "") or call.principal.account or ""
    decisions = tuple(
        decide(request, identity=identity, resource_policy=resource_policy, resource_account=account)
        for request in call.requests()
    )
    return Outcome(call, decisions)


def _is_app_role(call: Call, policies: Policies) -> bool:
    if call.principal.kind != "AWS" or ":role/" not in call.principal.identifier:
        return False
    return policies.deployment.find_arn(call.principal.identifier) is not None


def service(name: str) -> Principal:
    return Principal("Service", name)


def role(arn: str) -> Principal:
    return Principal("AWS", arn)
