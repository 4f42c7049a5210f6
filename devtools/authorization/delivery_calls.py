"""GitHub Actions' calls into an environment's account (stacks/delivery_access_stack.py), and the ones that must fail.

- A job in the GitHub environment named like the environment gets the deploy role, which must be able to assume
  every bootstrap role the app's stacks and assets name, in every region the environment deploys to.
- A pull request's job gets the diff role, which must read every stack's deployed template and nothing else: not
  the lookup role (ReadOnlyAccess), not a table, queue, log group or secret.
GitHub's token claims (`aud`, `sub`) are the condition keys of its OIDC provider:
https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
"""

from __future__ import annotations

from collections.abc import Iterator

from devtools.authorization.assembly import Assembly
from devtools.authorization.calls import Call, role
from devtools.authorization.deployment import Deployment, Located, UnknownResource
from devtools.authorization.policy import Principal

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
# What a pull request's code could reach for customers' data, if its role let it.
DATA_READS = {
    "AWS::DynamoDB::GlobalTable": ("dynamodb:Scan", "dynamodb:GetItem"),
    "AWS::SQS::Queue": ("sqs:ReceiveMessage",),
    "AWS::Logs::LogGroup": ("logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"),
}


def _token(provider_arn: str, repository: str, subject: str) -> dict[str, str]:
    return {f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_OIDC_HOST}:sub": f"repo:{repository}:{subject}"}


def _role_at(delivery: Deployment, suffix: str) -> Located:
    found = [r for r in delivery.resources("AWS::IAM::Role") if r.path.endswith(f"/{suffix}")]
    if len(found) != 1:
        raise UnknownResource(f"the delivery access stack has no one role at .../{suffix}")
    return found[0]


def _provider_arn(delivery: Deployment) -> str:
    stack = delivery.stacks[0]
    return f"arn:aws:iam::{stack.account}:oidc-provider/{GITHUB_OIDC_HOST}"


def delivery_calls(delivery: Deployment, app: Assembly, env_name: str, repository: str) -> Iterator[Call]:
    deploy = _role_at(delivery, "DeployRole")
    diff = _role_at(delivery, "DiffRole")
    deploy_arn = delivery.get_att(deploy.stack, deploy.logical_id, "Arn")
    diff_arn = delivery.get_att(diff.stack, diff.logical_id, "Arn")
    github = Principal("Federated", _provider_arn(delivery))
    web_identity = "sts:AssumeRoleWithWebIdentity"
    tokens = {
        "environment": _token(github.identifier, repository, f"environment:{env_name}"),
        "pull request": _token(github.identifier, repository, "pull_request"),
        "other repository": _token(github.identifier, f"{repository}-fork", f"environment:{env_name}"),
        "branch push": _token(github.identifier, repository, "ref:refs/heads/main"),
    }
    for token, claims in tokens.items():
        for role_arn, allowed_for in ((deploy_arn, "environment"), (diff_arn, "pull request")):
            yield Call("GitHub token -> role", f"{token} job", role_arn, github, web_identity, role_arn,
                       documented=claims, expect_allowed=token == allowed_for)  # fmt: skip
    for arn in sorted(app.bootstrap_roles):
        yield Call("deploy role -> bootstrap role", deploy.path, arn, role(deploy_arn), "sts:AssumeRole", arn)
        yield Call("diff role -> bootstrap role", diff.path, arn, role(diff_arn), "sts:AssumeRole", arn,
                   expect_allowed=False)  # fmt: skip
    account = delivery.stacks[0].account
    for name, region in sorted(app.stack_regions):
        stack_arn = f"arn:aws:cloudformation:{region}:{account}:stack/{name}/evaluated-id"
        for action in ("cloudformation:DescribeStacks", "cloudformation:GetTemplate"):
            yield Call("diff role -> deployed template", diff.path, stack_arn, role(diff_arn), action, stack_arn)
    yield from _data_probes(app.deployment, diff, diff_arn)
    yield from _data_probes(app.deployment, deploy, deploy_arn)


def _data_probes(app: Deployment, caller: Located, caller_arn: str) -> Iterator[Call]:
    for resource in app.resources(*DATA_READS):
        arn = app.get_att(resource.stack, resource.logical_id, "Arn")
        for action in DATA_READS[resource.type]:
            yield Call("delivery role -> data", caller.path, resource.path, role(caller_arn), action, arn,
                       expect_allowed=False)  # fmt: skip
