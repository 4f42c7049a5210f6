"""A cloud assembly directory (what `cdk synth` writes) read as a `Deployment`, plus the CDK bootstrap roles its
stacks and assets are deployed with, read from the same manifest (no CDK, no jsii: plain JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.authorization.deployment import EVALUATION_ACCOUNT, DeployedStack, Deployment

BOOTSTRAP_STACK = "CDKToolkit"
# The bootstrap roles a deployment assumes, each trusting its own account (`Principal: {AWS: !Ref AWS::AccountId}`
# in the bootstrap template of the pinned CDK CLI, node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml;
# tests/infra/test_authorization.py reads that template to keep this true). ReadOnlyAccess is the lookup role's.
BOOTSTRAP_ROLE_KINDS = ("deploy", "file-publishing", "image-publishing", "lookup")


@dataclass(frozen=True)
class Assembly:
    deployment: Deployment
    bootstrap_roles: frozenset[str]  # every bootstrap role ARN the stacks and their assets name
    stack_regions: frozenset[tuple[str, str]]  # (stack name, region) of every stack


def _environment(artifact: dict[str, Any]) -> tuple[str, str]:
    account, region = str(artifact["environment"]).removeprefix("aws://").split("/")
    return (EVALUATION_ACCOUNT if account == "unknown-account" else account), region


def _concrete(arn: str, account: str) -> str:
    return arn.replace("${AWS::Partition}", "aws").replace("${AWS::AccountId}", account)


def read_assembly(directory: Path, account: str | None = None) -> Assembly:
    """`account`: the environment's account where cdk.json names none (the evaluation account otherwise)."""
    manifest = json.loads((directory / "manifest.json").read_text())
    stacks, roles, regions = [], set(), set()
    for artifact_id, artifact in manifest["artifacts"].items():
        properties = artifact.get("properties", {})
        if artifact["type"] == "aws:cloudformation:stack":
            stack_account, region = _environment(artifact)
            stack_account = account or stack_account
            name = properties.get("stackName", artifact_id)
            template = json.loads((directory / properties["templateFile"]).read_text())
            stacks.append(DeployedStack(artifact_id, name, region, stack_account, template))
            regions.add((name, region))
            for arn in (properties.get("assumeRoleArn"), properties.get("lookupRole", {}).get("arn")):
                if arn:
                    roles.add(_concrete(arn, stack_account))
        elif artifact["type"] == "cdk:asset-manifest":
            assets = json.loads((directory / properties["file"]).read_text())
            for kind in ("files", "dockerImages"):
                for entry in assets.get(kind, {}).values():
                    for destination in entry["destinations"].values():
                        roles.add(_concrete(destination["assumeRoleArn"], account or EVALUATION_ACCOUNT))
    return Assembly(Deployment(stacks), frozenset(roles), frozenset(regions))


def bootstrap_stacks(role_arns: frozenset[str]) -> list[DeployedStack]:
    """The bootstrap roles as the bootstrap stack of each (account, region) defines them, for the evaluator."""
    by_environment: dict[tuple[str, str], dict[str, Any]] = {}
    for arn in sorted(role_arns):
        name = arn.rsplit("/", 1)[1]
        account = arn.split(":")[4]
        region = name.rsplit(f"-{account}-", 1)[1]
        trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": account},
                                "Action": ["sts:AssumeRole", "sts:TagSession"]}]}  # fmt: skip
        role = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": name, "AssumeRolePolicyDocument": trust}}
        resources = by_environment.setdefault((account, region), {})
        resources[name.replace("-", "")] = role
    return [
        DeployedStack(f"{BOOTSTRAP_STACK}-{region}", BOOTSTRAP_STACK, region, account, {"Resources": resources})
        for (account, region), resources in sorted(by_environment.items())
    ]
