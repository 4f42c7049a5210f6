"""Helpers over synthesized CloudFormation templates (plain dicts)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only_resource(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = list(resources_of_type(template, resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def masked_for_snapshot(template: dict[str, Any]) -> dict[str, Any]:
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
