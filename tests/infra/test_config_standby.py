"""The standby region: another real region, only where the global endpoint is, publishing from the primary."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ConfigError
from stacks.config_loading import load_environment_config
from tests.support.synth import ENVIRONMENTS, environment_blocks


@pytest.mark.parametrize(
    ("env_name", "settings", "expected"),
    [
        ("prod", {"secondaryRegion": "eu-west-1"}, "secondaryRegion must differ from region (both are 'eu-west-1')"),
        ("prod", {"secondaryRegion": "eu-middle-9"}, "setting 'secondaryRegion' is invalid: is not an AWS region"),
        ("prod", {"activeRegion": "us-east-1"}, "activeRegion must be region ('eu-west-1') or secondaryRegion"),
        ("local", {"secondaryRegion": "eu-central-1"}, "secondaryRegion cannot be used in a localCloud environment"),
    ],
)
def test_a_standby_region_must_be_another_real_region(env_name: str, settings: dict[str, Any], expected: str) -> None:
    blocks = environment_blocks()
    blocks[env_name].update(settings)
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, env_name, environ={})
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_only_prod_has_a_standby_region_and_it_publishes_from_the_primary() -> None:
    configs = {
        env_name: load_environment_config(environment_blocks(), env_name, environ={}) for env_name in ENVIRONMENTS
    }
    assert {name: c.secondary_region for name, c in configs.items()} == {
        "dev": None, "staging": None, "prod": "eu-central-1"
    }  # fmt: skip
    assert configs["prod"].regions == ["eu-west-1", "eu-central-1"]
    assert configs["prod"].publishing_region == "eu-west-1"
    assert configs["dev"].regions == ["eu-west-1"]


def test_event_replication_off_needs_a_standby() -> None:
    blocks = environment_blocks()
    blocks["staging"]["eventReplication"] = False
    with pytest.raises(ConfigError, match=r"eventReplication is a setting of the global endpoint: it needs secondary"):
        load_environment_config(blocks, "staging", environ={})
