"""The AWS side of the delivery pipeline: GitHub's OIDC provider and per-environment roles that trust only this
repository's jobs and may only assume the CDK bootstrap roles; cdk-nag and cfn-lint clean."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from typing import Any

import pytest
from aws_cdk import App
from cfnlint.api import ManualArgs, lint

from stacks.config import ConfigError
from stacks.delivery_access_stack import DeliveryAccessOutput, build_delivery_access
from tests.infra.test_cfn_lint import IGNORED_RULES
from tests.support.synth import cdk_json_context, environment_config
from tests.support.templates import resources_of_type

pytestmark = pytest.mark.xdist_group("synth")
REPOSITORY = "acme/orders"


def outdir() -> str:
    """A temporary cloud assembly, removed when the session ends."""
    path = tempfile.mkdtemp(prefix="cdk-delivery-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def template(env_name: str, existing_provider: bool = False) -> dict[str, Any]:
    app = App(outdir=outdir(), context={**cdk_json_context(), "env": env_name})
    stack = build_delivery_access(app, environment_config(env_name), REPOSITORY, existing_provider=existing_provider)
    synthesized: dict[str, Any] = app.synth().get_stack_artifact(stack.artifact_id).template  # cdk-nag runs here
    return synthesized


def roles(env_name: str, existing_provider: bool = False) -> dict[str, dict[str, Any]]:
    found = resources_of_type(template(env_name, existing_provider), "AWS::IAM::Role")
    return {logical_id.rstrip("0123456789ABCDEF"): role for logical_id, role in found.items()}


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_each_role_trusts_only_this_repositorys_jobs_for_its_purpose(env_name: str) -> None:
    expected = {
        "DeployRole": f"repo:{REPOSITORY}:environment:{env_name}",
        "DiffRole": f"repo:{REPOSITORY}:pull_request",
    }
    for name, role in roles(env_name).items():
        [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Condition"] == {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": expected[name],
        }}  # fmt: skip
        assert role["Properties"]["MaxSessionDuration"] == 3600


def _statements(env_name: str) -> dict[str, list[dict[str, Any]]]:
    by_role: dict[str, list[dict[str, Any]]] = {}
    for policy in resources_of_type(template(env_name), "AWS::IAM::Policy").values():
        [role] = policy["Properties"]["Roles"]
        by_role[role["Ref"].rstrip("0123456789ABCDEF")] = policy["Properties"]["PolicyDocument"]["Statement"]
    return by_role


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_the_deploy_role_may_only_assume_bootstrap_roles_of_every_region_of_the_environment(env_name: str) -> None:
    [statement] = _statements(env_name)["DeployRole"]
    assert statement["Action"] == "sts:AssumeRole"
    resources = json.dumps(statement["Resource"])
    config = environment_config(env_name)
    for region in {config.region, config.secondary_region} - {None}:
        for kind in ("deploy", "file-publishing", "image-publishing", "lookup"):
            assert f"cdk-hnb659fds-{kind}-role-" in resources
        assert f"-{region}" in resources
    assert resources.count("cdk-hnb659fds-") == 4 * (2 if config.secondary_region else 1)


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_the_diff_role_reads_the_environments_stacks_and_assumes_no_role(env_name: str) -> None:
    """Not the lookup role: it has ReadOnlyAccess to tables, queues and logs (decision 24)."""
    [statement] = _statements(env_name)["DiffRole"]
    assert statement["Action"] == ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"]
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    config = environment_config(env_name)
    assert len(resources) == len({config.region, config.secondary_region} - {None})
    assert all(f":stack/Orders-{env_name}-*/*" in json.dumps(r) for r in resources)


def test_the_provider_is_created_or_referenced() -> None:
    assert list(resources_of_type(template("dev"), "AWS::IAM::OIDCProvider")) == ["GitHubOidcProvider"]
    assert resources_of_type(template("dev", True), "AWS::IAM::OIDCProvider") == {}
    [statement] = roles("dev", True)["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert "oidc-provider/token.actions.githubusercontent.com" in json.dumps(statement["Principal"])


def test_outputs_name_the_github_variables_to_set() -> None:
    outputs = template("staging")["Outputs"]
    assert "AWS_DEPLOY_ROLE_ARN" in outputs[DeliveryAccessOutput.DEPLOY_ROLE_ARN]["Description"]
    assert "AWS_DIFF_ROLE_ARN_STAGING" in outputs[DeliveryAccessOutput.DIFF_ROLE_ARN]["Description"]


def test_cfn_lint_is_clean() -> None:
    matches = lint(
        json.dumps(template("prod")), config=ManualArgs(regions=["eu-west-1"], ignore_checks=list(IGNORED_RULES))
    )
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_a_malformed_repository_is_refused() -> None:
    app = App(outdir=outdir(), context=cdk_json_context())
    with pytest.raises(ConfigError, match="githubRepository must be <owner>/<name>"):
        build_delivery_access(app, environment_config("dev"), "not a repo", existing_provider=False)
