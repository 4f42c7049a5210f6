"""Roles AWS services assume for the app, trusting the service only on this account's behalf (the confused deputy
guidance: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).

No page promises that EventBridge (for a rule target or a global endpoint) or Pipes sends `aws:SourceAccount` and
`aws:SourceArn` when it assumes a role: EventBridge documents them for resource policies
(https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html). So the
trust uses the `IfExists` operators, which hold either way: a request that carries another account's source is
refused, and one that carries none still works. `devtools.authorization` evaluates both.
"""

from __future__ import annotations

from typing import Any

import aws_cdk.aws_pipes_alpha as pipes
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct


def service_role(
    scope: Construct, construct_id: str, *, service: str, description: str, source_arn: str | None = None
) -> iam.Role:
    """`source_arn`: the pattern of what may act through the role (e.g. this account's rules), when it is known."""
    conditions: dict[str, dict[str, str]] = {"StringEqualsIfExists": {"aws:SourceAccount": Stack.of(scope).account}}
    if source_arn:
        conditions["ArnLikeIfExists"] = {"aws:SourceArn": source_arn}
    return iam.Role(
        scope, construct_id, description=description, assumed_by=iam.ServicePrincipal(service, conditions=conditions)
    )


def rule_target_role(scope: Construct, construct_id: str, *, description: str) -> iam.Role:
    """The role a rule's target is invoked with: EventBridge, for this account's rules in this region."""
    return _for_own_resources(scope, construct_id, "events", "rule/*", description)


def pipe_role(scope: Construct, construct_id: str, *, description: str) -> iam.Role:
    """A pipe's execution role: Pipes, for this account's pipes in this region."""
    return _for_own_resources(scope, construct_id, "pipes", "pipe/*", description)


def pipe_with_role(scope: Construct, construct_id: str, *, role_description: str, **props: Any) -> pipes.Pipe:
    """A pipe (`props` as `pipes.Pipe` takes them) run by a `pipe_role` of its own, `<construct_id>Role`.

    The pipe is created after the role's policy: a role passed in is not one the L2 makes it wait for, and Pipes
    checks the role's permissions when the pipe is created."""
    role = pipe_role(scope, f"{construct_id}Role", description=role_description)
    pipe = pipes.Pipe(scope, construct_id, role=role, **props)
    pipe.node.add_dependency(role)
    return pipe


def _for_own_resources(scope: Construct, construct_id: str, service: str, resources: str, description: str) -> iam.Role:
    stack = Stack.of(scope)
    return service_role(
        scope,
        construct_id,
        service=f"{service}.amazonaws.com",
        description=description,
        source_arn=f"arn:{stack.partition}:{service}:{stack.region}:{stack.account}:{resources}",
    )
