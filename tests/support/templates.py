"""Helpers over synthesized CloudFormation templates (plain dicts)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

ASSET_HASH = re.compile(r"[0-9a-f]{64}")
Template = dict[str, Any]
Resource = dict[str, Any]


def resources_of_type(template: Template, resource_type: str) -> dict[str, Resource]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only_resource(template: Template, resource_type: str) -> Resource:
    found = list(resources_of_type(template, resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def construct_path(resource: Resource) -> str:
    path: str = resource.get("Metadata", {}).get("aws:cdk:path", "")
    return path


def resource_at(template: Template, path_suffix: str) -> tuple[str, Resource]:
    """The one resource whose construct path ends with `path_suffix` (e.g. "StreamPipe/Pipe")."""
    found = [
        (logical_id, resource)
        for logical_id, resource in template["Resources"].items()
        if construct_path(resource).endswith(f"/{path_suffix}/Resource")
        or construct_path(resource).endswith(f"/{path_suffix}")
    ]
    assert len(found) == 1, f"expected one resource at .../{path_suffix}, found {[construct_path(r) for _, r in found]}"
    return found[0]


def role_statements(template: Template, role_path: str) -> list[dict[str, Any]]:
    """Every policy statement attached to the role at `role_path` (e.g. "Intake/Function/Role")."""
    role_id, _ = resource_at(template, role_path)
    return [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def references(node: Any) -> set[str]:
    """Logical ids a template fragment refers to through Ref or Fn::GetAtt."""
    found: set[str] = set()
    for value in walk(node):
        if isinstance(value, dict):
            if "Ref" in value:
                found.add(value["Ref"])
            if "Fn::GetAtt" in value:
                found.add(value["Fn::GetAtt"][0])
    return found


def state_machine_definition(state_machine: Resource) -> dict[str, Any]:
    """The ASL of a synthesized state machine, CloudFormation references shown as `${LogicalId}`/`${LogicalId.Attr}`."""

    def placeholder(part: Any) -> str:
        if isinstance(part, str):
            return part
        if "Ref" in part:
            return f"${{{part['Ref']}}}"
        if "Fn::GetAtt" in part:
            return "${" + ".".join(part["Fn::GetAtt"]) + "}"
        if "Fn::GetStackOutput" in part:
            return f"${{{part['Fn::GetStackOutput']['OutputName']}}}"
        raise AssertionError(f"unexpected definition part {part}")

    separator, parts = state_machine["Properties"]["DefinitionString"]["Fn::Join"]
    definition: dict[str, Any] = json.loads(separator.join(placeholder(part) for part in parts))
    return definition


def masked_for_snapshot(template: Template) -> Template:
    """Asset hashes change with every code edit (even when bundling is skipped); nothing else is masked."""
    masked = copy.deepcopy(template)
    masked["Resources"].pop("CDKMetadata", None)
    masked.get("Conditions", {}).pop("CDKMetadataAvailable", None)
    return _mask(masked)  # type: ignore[no-any-return]


def _mask(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _mask(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_mask(value) for value in node]
    if isinstance(node, str):
        return ASSET_HASH.sub("<asset-hash>", node)
    return node
