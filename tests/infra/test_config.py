"""The typed config: every environment block loads what it says, with the CLI's account and region as fallbacks, and
a local cloud stays local. Mistakes: test_config_refusals.py; the standby region: test_config_standby.py."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import LOCAL_CLOUD_ACCOUNT, ConfigError
from stacks.config_loading import load_environment_config
from tests.support.synth import ENVIRONMENTS, environment_blocks


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_environment_block_loads_exactly_what_it_says(env_name: str) -> None:
    """Every setting of the block reaches the typed config unchanged (none dropped, renamed or defaulted over);
    what the block leaves out is the model's default."""
    block = environment_blocks()[env_name]
    config = load_environment_config(environment_blocks(), env_name, environ={})
    assert config.name == env_name
    loaded = config.model_dump(by_alias=True, exclude={"name"})
    assert {key: loaded[key] for key in block} == block
    optional = {field.alias or name for name, field in type(config).model_fields.items() if not field.is_required()}
    assert set(loaded) - set(block) <= optional


def test_prod_retains_data_and_dev_does_not() -> None:
    assert load_environment_config(environment_blocks(), "prod", environ={}).retain_data
    assert not load_environment_config(environment_blocks(), "dev", environ={}).retain_data


def test_unknown_environment_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as error:
        load_environment_config(environment_blocks(), "qa", environ={})
    assert str(error.value) == "unknown environment 'qa' (-c env=...); known environments: dev, local, prod, staging"


def test_missing_setting_names_environment_and_key() -> None:
    blocks = environment_blocks()
    del blocks["prod"]["workflow"]["type"]
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, "prod", environ={})
    assert str(error.value) == "cdk.json environment 'prod': missing setting 'workflow.type'"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("retainData",), "yes", "setting 'retainData' is invalid: Input should be a valid boolean (got 'yes')"),
        (
            ("streamPipe", "batchSize"),
            "10",
            "setting 'streamPipe.batchSize' is invalid: Input should be a valid integer",
        ),
        (
            ("streamPipe", "batchSize"),
            11,
            "setting 'streamPipe.batchSize' is invalid: Input should be less than or equal to 10",
        ),
        (("streamPipe", "maximumRetryAttempts"), -1, "setting 'streamPipe.maximumRetryAttempts' is invalid"),
        (("workflow", "type"), "FAST", "setting 'workflow.type' is invalid: Input should be 'EXPRESS' or 'STANDARD'"),
        (("logRetentionDays",), 8, "setting 'logRetentionDays' is invalid: must be a CloudWatch Logs"),
        (("cache", "endpoint"), "ftp://plain.example.com", "setting 'cache.endpoint' is invalid"),
    ],
)
def test_ill_typed_setting_names_environment_key_and_value(path: tuple[str, ...], value: Any, expected: str) -> None:
    blocks = environment_blocks()
    parent = blocks["staging"]
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, "staging", environ={})
    message = str(error.value)
    assert message.startswith(f"cdk.json environment 'staging': {expected}")
    assert "\n" not in message


def test_unknown_setting_is_rejected() -> None:
    blocks = environment_blocks()
    blocks["dev"]["streamPipe"]["batchsize"] = 5
    with pytest.raises(ConfigError, match=r"unknown setting 'streamPipe.batchsize'"):
        load_environment_config(blocks, "dev", environ={})


def test_account_and_region_fall_back_to_the_cdk_cli_environment() -> None:
    blocks = environment_blocks()
    blocks["dev"]["region"] = None
    config = load_environment_config(
        blocks, "dev", environ={"CDK_DEFAULT_ACCOUNT": "123456789012", "CDK_DEFAULT_REGION": "us-east-2"}
    )
    assert (config.account, config.region) == ("123456789012", "us-east-2")


def test_account_in_the_block_wins_over_the_cli_environment() -> None:
    blocks = environment_blocks()
    blocks["prod"]["account"] = "210987654321"
    config = load_environment_config(blocks, "prod", environ={"CDK_DEFAULT_ACCOUNT": "123456789012"})
    assert config.account == "210987654321"


def test_the_local_environment_is_a_local_cloud() -> None:
    config = load_environment_config(environment_blocks(), "local", environ={})
    assert config.local_cloud
    assert config.account == LOCAL_CLOUD_ACCOUNT
    assert not load_environment_config(environment_blocks(), "dev", environ={}).local_cloud


def test_a_local_cloud_cannot_point_at_a_real_account() -> None:
    blocks = environment_blocks()
    blocks["local"]["account"] = "123456789012"
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, "local", environ={})
    assert str(error.value) == (
        "cdk.json environment 'local': a localCloud environment must set account '000000000000', the emulator's"
    )


@pytest.mark.parametrize(
    ("env_name", "endpoint", "expected"),
    [
        ("dev", "http://127.0.0.1:4567", "cache.endpoint must be https outside a localCloud environment"),
        ("local", "http://cache.example.com:80", "cache.endpoint may be plain http only on loopback"),
    ],
)
def test_plain_http_momento_only_on_loopback_of_a_local_cloud(env_name: str, endpoint: str, expected: str) -> None:
    blocks = environment_blocks()
    blocks[env_name]["cache"]["endpoint"] = endpoint
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, env_name, environ={})
    assert str(error.value) == f"cdk.json environment '{env_name}': {expected} (got {endpoint!r})"
