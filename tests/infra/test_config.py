"""The typed config: every environment block loads; every kind of mistake fails with one clear line."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.config import ConfigError, load_environment_config
from tests.support.synth import ENVIRONMENTS, cdk_json_context


def environments() -> dict[str, Any]:
    return copy.deepcopy(cdk_json_context()["environments"])


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_environment_block_loads(env_name: str) -> None:
    config = load_environment_config(environments(), env_name, environ={})
    assert config.name == env_name
    assert config.stream_pipe.maximum_retry_attempts >= 0
    assert config.stream_pipe.maximum_record_age_seconds > 0


def test_prod_retains_data_and_dev_does_not() -> None:
    assert load_environment_config(environments(), "prod", environ={}).retain_data
    assert not load_environment_config(environments(), "dev", environ={}).retain_data


def test_unknown_environment_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as error:
        load_environment_config(environments(), "qa", environ={})
    assert str(error.value) == "unknown environment 'qa' (-c env=...); known environments: dev, prod, staging"


def test_missing_setting_names_environment_and_key() -> None:
    blocks = environments()
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
        (("logRetentionDays",), 8, "setting 'logRetentionDays' is invalid: Value error, must be a CloudWatch Logs"),
        (("cache", "endpoint"), "http://plain.example.com", "setting 'cache.endpoint' is invalid"),
    ],
)
def test_ill_typed_setting_names_environment_key_and_value(path: tuple[str, ...], value: Any, expected: str) -> None:
    blocks = environments()
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
    blocks = environments()
    blocks["dev"]["streamPipe"]["batchsize"] = 5
    with pytest.raises(ConfigError, match=r"unknown setting 'streamPipe.batchsize'"):
        load_environment_config(blocks, "dev", environ={})


def test_account_and_region_fall_back_to_the_cdk_cli_environment() -> None:
    blocks = environments()
    blocks["dev"]["region"] = None
    config = load_environment_config(
        blocks, "dev", environ={"CDK_DEFAULT_ACCOUNT": "123456789012", "CDK_DEFAULT_REGION": "us-east-2"}
    )
    assert (config.account, config.region) == ("123456789012", "us-east-2")


def test_account_in_the_block_wins_over_the_cli_environment() -> None:
    blocks = environments()
    blocks["prod"]["account"] = "210987654321"
    config = load_environment_config(blocks, "prod", environ={"CDK_DEFAULT_ACCOUNT": "123456789012"})
    assert config.account == "210987654321"
