"""The reusable Lambda building block: a Powertools function with its own log group and least-privilege role."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, IgnoreMode
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.building_blocks.dependencies_layer import LAMBDAS_DIR, DependenciesLayer
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.lambda_runtime import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from stacks.building_blocks.nag import acknowledge

PROJECT_ROOT = LAMBDAS_DIR.parent
METRICS_NAMESPACE = "Orders"


def function_code(package: str) -> lambda_.Code:
    """Only `lambdas/<package>` and `lambdas/shared`: a change to one handler redeploys only that function."""
    if not (LAMBDAS_DIR / package / "handler.py").is_file():
        raise ValueError(f"lambdas/{package}/handler.py does not exist")
    return lambda_.Code.from_asset(
        str(PROJECT_ROOT),
        ignore_mode=IgnoreMode.GIT,
        # gitignore semantics: "*" drops every file at any depth, then the three trees are taken back whole.
        exclude=[
            "*",
            "!lambdas/",
            "!lambdas/__init__.py",
            "!lambdas/shared/",
            "!lambdas/shared/**",
            f"!lambdas/{package}/",
            f"!lambdas/{package}/**",
            "__pycache__/",
            "*.pyc",
        ],
    )


class PowertoolsFunction(Construct):
    """arm64 Python function with JSON logs in an explicit log group, X-Ray, Powertools settings and the shared layer.

    Every function here is invoked synchronously (by a pipe, a state machine or a queue's poller) or by a schedule
    whose next run redoes its work; the caller says in `failures_end_in` where a failed invocation ends up, which is
    recorded with the cdk-nag acknowledgment.

    The role is written here rather than left to CDK so that it may write only to this function's log group
    (the managed AWSLambdaBasicExecutionRole allows every log group in the account).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        package: str,
        description: str,
        failures_end_in: str,
        defaults: EnvironmentDefaults,
        environment: Mapping[str, str] | None = None,
        memory_size: int = 256,
        timeout_seconds: int = 30,
    ) -> None:
        super().__init__(scope, construct_id)
        self.package = package
        self.log_group = defaults.log_group(self, "LogGroup")
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {package} function",
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=f"lambdas.{package}.handler.handler",
            code=function_code(package),
            layers=[DependenciesLayer.of(self, defaults.layer_wheels)],
            role=self.role,
            memory_size=memory_size,
            timeout=Duration.seconds(timeout_seconds),
            tracing=lambda_.Tracing[defaults.tracing],
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel(defaults.log_level),
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            environment={
                "POWERTOOLS_SERVICE_NAME": package.replace("_", "-"),
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                **(environment or {}),
            },
        )
        acknowledge(
            self.function,
            "Serverless::Serverless-LambdaDLQ",
            f"Its caller handles a failed invocation (a pipe, a state machine or a queue's poller invokes it "
            f"synchronously; a schedule's next run does the work again), so a Lambda DLQ would add nothing; failures "
            f"end in {failures_end_in}.",
        )
        if defaults.tracing == "PASS_THROUGH":
            acknowledge(
                self.function,
                "Serverless::Serverless-LambdaTracing",
                "Traced as a segment of a traced caller's request (the order workflow's, sampled by its own X-Ray "
                "rule); the requests of pipes, pollers and schedules start no traces of their own (decision 27).",
            )
        acknowledge(
            self.role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
        )

    def allow(self, resource_arn: str, *actions: str) -> None:
        """Item-level actions on one resource. `Table.grant` would add `<table>/index/*` too, which no handler needs."""
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=list(actions), resources=[resource_arn]))
