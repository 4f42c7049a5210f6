"""Every stack of every environment: named Orders-<env>-<Stack>, tagged, described, pinned to its region."""

from __future__ import annotations

import pytest

from stacks.names import table_name
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
def test_physical_names_are_generated_except_a_multi_region_table(env_name: str) -> None:
    """Two environments can share an account: resources get generated names (references are fine). The one
    exception is the table of an environment with a standby region: its replica is found by that name, and the name
    carries the environment's."""
    config = synthesize(env_name).config
    name_properties = ("TableName", "QueueName", "FunctionName", "StateMachineName", "TopicName", "LogGroupName")
    for template in synthesize(env_name).templates.values():
        for logical_id, resource in template["Resources"].items():
            for name_property in name_properties:
                value = resource.get("Properties", {}).get(name_property)
                if isinstance(value, str):
                    assert config.secondary_region, f"{logical_id} hard-codes {name_property}={value!r}"
                    assert (name_property, value) == ("TableName", table_name(env_name)), logical_id
