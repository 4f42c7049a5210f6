"""Every stack of every environment: named Orders-<env>-<Stack>, tagged, described, pinned to its region."""

from __future__ import annotations

import pytest

from tests.support.synth import ENVIRONMENTS, synthesize


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_stacks_are_named_tagged_and_described(env_name: str) -> None:
    synthesized = synthesize(env_name)
    for stack in synthesized.stacks.all():
        assert stack.stack_name.startswith(f"Orders-{env_name}-")
        assert stack.node.id == stack.stack_name
        assert stack.tags.tag_values() == {"application": "orders", "environment": env_name}
        assert stack.template_options.description
        assert env_name in stack.template_options.description
        assert stack.region == synthesized.config.region


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_no_hard_coded_physical_names(env_name: str) -> None:
    """Resources get generated names so that two environments can share an account (references are fine)."""
    name_properties = ("TableName", "QueueName", "FunctionName", "StateMachineName", "TopicName", "LogGroupName")
    for template in synthesize(env_name).templates.values():
        for logical_id, resource in template["Resources"].items():
            for name_property in name_properties:
                value = resource.get("Properties", {}).get(name_property)
                assert not isinstance(value, str), f"{logical_id} hard-codes {name_property}={value!r}"
