"""Every stack output the operator CLIs and the smoke scenario read (stacks.names) exists where they look for it."""

from __future__ import annotations

import pytest

from stacks.names import OUTPUT_OWNERS, Component, Output, stack_name
from tests.support.synth import ENVIRONMENTS, synthesize


@pytest.mark.parametrize("env_name", [*ENVIRONMENTS, "local"])
def test_every_output_the_tools_read_is_in_its_stack(env_name: str) -> None:
    app = synthesize(env_name)
    for output, component in OUTPUT_OWNERS.items():
        assert output in app.template(component).get("Outputs", {}), f"{stack_name(env_name, component)}: {output}"


def test_every_output_has_one_owner_and_every_stack_is_named() -> None:
    assert set(OUTPUT_OWNERS) == set(Output)
    assert {f"Orders-dev-{component}" for component in Component} == set(synthesize("dev").templates)
