"""The `local` environment (make local-deploy) is dev, changed only where a local cloud needs it."""

from __future__ import annotations

import re

from stacks.names import Component
from tests.support.synth import PROJECT_ROOT, cdk_json_context, synthesize

# What a local cloud needs: the emulator's account, a Momento stand-in on loopback, and the flag that builds the
# dependencies layer for this machine's interpreter (the emulator runs every function on it).
LOCAL_ONLY = {("account",), ("cache", "endpoint"), ("localCloud",)}


def flattened(block: dict[str, object], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    flat: dict[tuple[str, ...], object] = {}
    for key, value in block.items():
        if isinstance(value, dict):
            flat |= flattened(value, (*prefix, key))
        else:
            flat[(*prefix, key)] = value
    return flat


def test_the_local_block_differs_from_dev_only_where_a_local_cloud_needs_it() -> None:
    environments = cdk_json_context()["environments"]
    local, dev = flattened(environments["local"]), flattened(environments["dev"])
    differing = {key for key in local.keys() | dev.keys() if local.get(key) != dev.get(key)}
    assert differing == LOCAL_ONLY


def test_the_stacks_read_local_cloud_only_for_the_layer_platform_and_the_schema_registry() -> None:
    """The emulator runs functions on this machine's interpreter and has no EventSchemas API."""
    readers = [
        f"{path.relative_to(PROJECT_ROOT)}: {line.strip()}"
        for path in (PROJECT_ROOT / "stacks").rglob("*.py")
        if path.name not in ("config.py", "config_loading.py")  # where it is defined and validated
        for line in path.read_text().splitlines()
        if re.search(r"\.local_cloud\b", line)
    ]
    assert readers == [
        "stacks/orders_app.py: layer_wheels=host_wheels() if config.local_cloud else LAMBDA_WHEELS,",
        "stacks/orders_app.py: schema_registry=not config.local_cloud,  # MiniStack has no EventSchemas API",
    ]


def test_the_layer_is_built_for_this_interpreter_locally_and_for_lambda_in_dev() -> None:
    def layer_keys(env_name: str) -> set[str]:
        template = synthesize(env_name).template(Component.EVENT_FABRIC)
        return {
            resource["Properties"]["Content"]["S3Key"]
            for resource in template["Resources"].values()
            if resource["Type"] == "AWS::Lambda::LayerVersion"
        }

    assert layer_keys("local").isdisjoint(layer_keys("dev"))
