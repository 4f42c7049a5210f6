"""DeliveryAccess: how GitHub Actions reaches one environment's account without stored keys.

GitHub's OIDC provider (one per account: created here, or an existing one referenced) and two roles for the
environment, each trusting only tokens for this repository:
- the deploy role: tokens of jobs running in the GitHub environment named like this one (deliver.yml); it may only
  assume the CDK bootstrap roles of the environment's account in every region it deploys to (the primary and,
  with a `secondaryRegion`, the standby), which do the deploying;
- the diff role: tokens of pull-request jobs (pull-request.yml); it may only read the environment's stacks and
  their deployed templates (`cdk diff --no-change-set` compares with those), in every region. Not the bootstrap
  lookup role: that role has AWS's ReadOnlyAccess, which reads tables, queues and logs, and a pull request's code
  runs before review (decision 24). Without the lookup role the CDK CLI reads with the role's own credentials: the
  CLI's `accessStackForLookup` falls back to "the default credentials if [they] are for the stack account"
  (node_modules/aws-cdk, the pinned 2.1148 CLI), warning "Lookup role ... was not assumed".
Deployed once per environment with `make delivery-access ENV=<env> REPO=<owner/name>` (README, "Deliver it").
"""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import App, CfnOutput, Duration, Environment, Stack, Tags, Token, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import Construct

from stacks.building_blocks.nag import acknowledge
from stacks.config import ConfigError, EnvironmentConfig
from stacks.names import APPLICATION, delivery_access_stack_name

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
CDK_QUALIFIER = "hnb659fds"  # the default bootstrap qualifier (`cdk bootstrap` without --qualifier)
DEPLOYING_BOOTSTRAP_ROLES = ("deploy", "file-publishing", "image-publishing", "lookup")
# What `cdk diff --no-change-set` reads with the role's own credentials: CloudFormation.describeStacks and
# getTemplate (the CLI's CloudFormationStack.lookup and template()). No data plane, no other stacks.
DIFF_READS = ("cloudformation:DescribeStacks", "cloudformation:GetTemplate")


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
        regions: tuple[str, ...],
        create_oidc_provider: bool,
        **kwargs: Any,
    ) -> None:
        """`regions`: every region the environment's stacks deploy to."""
        super().__init__(scope, construct_id, **kwargs)
        regions = regions or (self.region,)
        provider_arn = self._provider_arn(create_oidc_provider)
        self.deploy_role = self._role(
            "DeployRole",
            provider_arn,
            subject=f"repo:{repository}:environment:{environment_name}",
            purpose=f"GitHub Actions deploys of {repository} to {environment_name}",
            may=iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=[
                    self._bootstrap_role(kind, region) for region in regions for kind in DEPLOYING_BOOTSTRAP_ROLES
                ],
            ),
        )
        stacks = f"{APPLICATION}-{environment_name}-*/*"
        self.diff_role = self._role(
            "DiffRole",
            provider_arn,
            subject=f"repo:{repository}:pull_request",
            purpose=f"GitHub Actions diffs of {repository}'s pull requests against {environment_name}",
            may=iam.PolicyStatement(
                actions=list(DIFF_READS),
                resources=[self.format_arn(service="cloudformation", region=r, resource="stack", resource_name=stacks)
                           for r in regions],
            ),
        )  # fmt: skip
        account = "<AWS::AccountId>" if Token.is_unresolved(self.account) else self.account
        for region in regions:
            acknowledge(
                self.diff_role,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:cloudformation:{region}:{account}:stack/{stacks}]",
                "The environment's own stacks (their names end in a CloudFormation id), read-only: what cdk diff "
                "reads, and nothing in the data plane.",
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

    def _bootstrap_role(self, kind: str, region: str) -> str:
        name = f"cdk-{CDK_QUALIFIER}-{kind}-role-{self.account}-{region}"
        return self.format_arn(service="iam", region="", resource="role", resource_name=name)

    def _role(
        self, construct_id: str, provider_arn: str, *, subject: str, purpose: str, may: iam.PolicyStatement
    ) -> iam.Role:
        """A role for tokens of this repository whose subject is `subject`, allowed `may` and nothing else."""
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
        role.add_to_policy(may)
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
        regions=tuple(r for r in (config.region, config.secondary_region) if r),
        create_oidc_provider=not existing_provider,
    )
    Tags.of(stack).add("application", APPLICATION.lower())
    Tags.of(stack).add("environment", config.name)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stack
