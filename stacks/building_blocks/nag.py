"""cdk-nag acknowledgments: each names one finding on one construct and says why it is accepted."""

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def acknowledge_invoke_of_versions(role: IConstruct, function: lambda_.IFunction, invoker: str) -> None:
    """`grantInvoke` also allows `<function ARN>:*` (versions and aliases of that one function): the IAM5 finding."""
    stack = Stack.of(function)
    default_child = function.node.default_child
    arn = f"<{stack.get_logical_id(default_child)}.Arn>"  # type: ignore[arg-type]
    acknowledge(
        role,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::{arn}:*]",
        f"Lets {invoker} invoke versions and aliases of {function.node.path.split('/')[-2]}, no other function.",
    )


def acknowledge_custom_resource_provider(stack: Stack, what: str) -> None:
    """The one Lambda that CDK's AwsCustomResource installs per stack (a singleton), which runs only during deploys."""
    provider = stack.node.try_find_child("AWS679f53fac002430cb0da5b7982bd2287")
    assert provider is not None, "acknowledge after the AwsCustomResource is created"
    for finding, reason in PROVIDER_FINDINGS.items():
        acknowledge(provider, finding, f"CDK's AwsCustomResource provider, which {what}: {reason}")


PROVIDER_FINDINGS = {
    "Serverless::Serverless-LambdaDLQ": "CloudFormation calls it synchronously; a failure fails the deploy, visibly",
    "Serverless::Serverless-LambdaDefaultMemorySize": "one SDK call per deploy needs no tuning",
    "Serverless::Serverless-LambdaTracing": "a trace of one deploy-time SDK call would show nothing the stack events "
    "do not",
}
