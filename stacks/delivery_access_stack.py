"""DeliveryAccess: how GitHub Actions reaches one environment's account without stored keys.

GitHub's OIDC provider (one per account: created here, or an existing one referenced) and two roles for the
environment, each trusting only tokens for this repository:
- the deploy role: tokens of jobs running in the GitHub environment named like this one (deliver.yml); it may only
  assume the CDK bootstrap roles of the environment's account and region, which do the deploying;
- the diff role: tokens of pull-request jobs (pull-request.yml); it may only assume the bootstrap lookup role,
  which reads (`cdk diff --no-change-set` compares with the deployed templates).
Deployed once per environment with `make delivery-access ENV=<env> REPO=<owner/name>` (README, "Deliver it").
"""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import App, CfnOutput, Duration, Environment, Stack, Tags, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import Construct

from stacks.config import ConfigError, EnvironmentConfig
from stacks.names import APPLICATION, delivery_access_stack_name

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
CDK_QUALIFIER = "hnb659fds"  # the default bootstrap qualifier (`cdk bootstrap` without --qualifier)
DEPLOYING_BOOTSTRAP_ROLES = ("deploy", "file-publishing", "image-publishing", "lookup")


class DeliveryAccessOutput:
    DEPLOY_ROLE_ARN = "DeployRoleArn"
    DIFF_ROLE_ARN = "DiffRoleArn"


class DeliveryAccessStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository: str,
        environment_name: str,
        create_oidc_provider: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        provider_arn = self._provider_arn(create_oidc_provider)
        self.deploy_role = self._role(
            "DeployRole",
            provider_arn,
            subject=f"repo:{repository}:environment:{environment_name}",
            assumes=DEPLOYING_BOOTSTRAP_ROLES,
            purpose=f"GitHub Actions deploys of {repository} to {environment_name}",
        )
        self.diff_role = self._role(
            "DiffRole",
            provider_arn,
            subject=f"repo:{repository}:pull_request",
            assumes=("lookup",),
            purpose=f"GitHub Actions diffs of {repository}'s pull requests against {environment_name}",
        )
        CfnOutput(self, DeliveryAccessOutput.DEPLOY_ROLE_ARN, value=self.deploy_role.role_arn,
                  description=f"GitHub environment '{environment_name}': variable AWS_DEPLOY_ROLE_ARN")  # fmt: skip
        CfnOutput(self, DeliveryAccessOutput.DIFF_ROLE_ARN, value=self.diff_role.role_arn,
                  description=f"repository variable AWS_DIFF_ROLE_ARN_{environment_name.upper()}")  # fmt: skip

    def _provider_arn(self, create: bool) -> str:
        if create:
            provider = iam.CfnOIDCProvider(
                self, "GitHubOidcProvider", url=f"https://{GITHUB_OIDC_HOST}", client_id_list=["sts.amazonaws.com"]
            )
            return provider.attr_arn
        return self.format_arn(service="iam", region="", resource="oidc-provider", resource_name=GITHUB_OIDC_HOST)

    def _role(
        self, construct_id: str, provider_arn: str, *, subject: str, assumes: tuple[str, ...], purpose: str
    ) -> iam.Role:
        role = iam.Role(
            self,
            construct_id,
            description=purpose,
            max_session_duration=Duration.hours(1),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn,
                conditions={
                    "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_OIDC_HOST}:sub": subject}
                },
            ),
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=[
                    self.format_arn(
                        service="iam",
                        region="",
                        resource="role",
                        resource_name=f"cdk-{CDK_QUALIFIER}-{kind}-role-{self.account}-{self.region}",
                    )
                    for kind in assumes
                ],
            )
        )
        return role


def build_delivery_access(app: App, config: EnvironmentConfig, repository: str, *, existing_provider: bool) -> Stack:
    """`Orders-<env>-DeliveryAccess` in the environment's account and region, checked by cdk-nag like the app."""
    if not re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", repository):
        raise ConfigError(f"githubRepository must be <owner>/<name>, got {repository!r}")
    name = delivery_access_stack_name(config.name)
    stack = DeliveryAccessStack(
        app,
        name,
        stack_name=name,
        env=Environment(account=config.account, region=config.region),
        description=f"Orders ({config.name}): GitHub Actions deploy and diff roles for {repository}, no stored keys",
        repository=repository,
        environment_name=config.name,
        create_oidc_provider=not existing_provider,
    )
    Tags.of(stack).add("application", APPLICATION.lower())
    Tags.of(stack).add("environment", config.name)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stack
