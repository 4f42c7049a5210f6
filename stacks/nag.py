"""cdk-nag acknowledgments: each names one finding on one construct and says why it is accepted."""

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def arn_reference(resource: IConstruct) -> str:
    """How cdk-nag names `Fn::GetAtt [<resource>, Arn]` inside a finding id, e.g. `<Fn1234.Arn>`."""
    stack = Stack.of(resource)
    default_child = resource.node.default_child
    return f"<{stack.get_logical_id(default_child)}.Arn>"  # type: ignore[arg-type]
