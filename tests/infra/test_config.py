"""The typed config: every environment block loads; every kind of mistake fails with one clear line."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from stacks.config import LOCAL_CLOUD_ACCOUNT, ConfigError
from stacks.config_loading import load_environment_config, read_cdk_json
from tests.support.synth import ENVIRONMENTS, cdk_json_context


def environments() -> dict[str, Any]:
    return copy.deepcopy(cdk_json_context()["environments"])


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_environment_block_loads_exactly_what_it_says(env_name: str) -> None:
    """Every setting of the block reaches the typed config unchanged (none dropped, renamed or defaulted over);
    what the block leaves out is the model's default."""
    block = environments()[env_name]
    config = load_environment_config(environments(), env_name, environ={})
    assert config.name == env_name
    loaded = config.model_dump(by_alias=True, exclude={"name"})
    assert {key: loaded[key] for key in block} == block
    optional = {field.alias or name for name, field in type(config).model_fields.items() if not field.is_required()}
    assert set(loaded) - set(block) <= optional


def test_prod_retains_data_and_dev_does_not() -> None:
    assert load_environment_config(environments(), "prod", environ={}).retain_data
    assert not load_environment_config(environments(), "dev", environ={}).retain_data


def test_unknown_environment_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as error:
        load_environment_config(environments(), "qa", environ={})
    assert str(error.value) == "unknown environment 'qa' (-c env=...); known environments: dev, local, prod, staging"


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
        (("logRetentionDays",), 8, "setting 'logRetentionDays' is invalid: must be a CloudWatch Logs"),
        (("cache", "endpoint"), "ftp://plain.example.com", "setting 'cache.endpoint' is invalid"),
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


def test_the_local_environment_is_a_local_cloud() -> None:
    config = load_environment_config(environments(), "local", environ={})
    assert config.local_cloud
    assert config.account == LOCAL_CLOUD_ACCOUNT
    assert not load_environment_config(environments(), "dev", environ={}).local_cloud


def test_a_local_cloud_cannot_point_at_a_real_account() -> None:
    blocks = environments()
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
    blocks = environments()
    blocks[env_name]["cache"]["endpoint"] = endpoint
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, env_name, environ={})
    assert str(error.value) == f"cdk.json environment '{env_name}': {expected} (got {endpoint!r})"


def rename(blocks: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    blocks[new] = blocks.pop(old)
    return blocks


def edit(env_name: str, path: tuple[str, ...], value: Any) -> Any:
    def apply(blocks: dict[str, Any]) -> dict[str, Any]:
        parent = blocks[env_name]
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
        return blocks

    return apply


# (what a newcomer wrote, the environment synthesized, every line of the error): the table of the README and note.
BAD_CONFIGURATIONS: list[tuple[str, Any, str, list[str]]] = [
    (
        '"name": "prod" inside the dev block',
        edit("dev", ("name",), "prod"),
        "dev",
        ["cdk.json environment 'dev': setting 'name' is not allowed: an environment is named by its key in cdk.json, "
         "so that a deploy of 'dev' can only ever touch the stacks of 'dev'"],
    ),
    (
        "an environment named qa_env",
        lambda blocks: rename(blocks, "staging", "qa_env"),
        "qa_env",
        ["cdk.json environment 'qa_env': the name cannot be part of a stack name (Orders-qa_env-Data): use letters, "
         "digits and hyphens, starting with a letter, at most 32 characters, e.g. 'qa-env'"],
    ),
    (
        'region "xx-fake-9"',
        edit("staging", ("region",), "xx-fake-9"),
        "staging",
        ["cdk.json environment 'staging': setting 'region' is invalid: is not an AWS region (got 'xx-fake-9'); "
         "e.g. 'eu-west-1'"],
    ),
    (
        'account "12345"',
        edit("prod", ("account",), "12345"),
        "prod",
        ["cdk.json environment 'prod': setting 'account' is invalid: not of the expected form (got '12345'); "
         "e.g. '123456789012'"],
    ),
    (
        "two mistakes at once",
        lambda blocks: edit("dev", ("alarmEmail",), "oncall")(edit("dev", ("streamPipe", "batchSize"), 50)(blocks)),
        "dev",
        [
            "cdk.json environment 'dev': setting 'alarmEmail' is invalid: not of the expected form (got 'oncall'); "
            "e.g. 'orders-oncall@example.com'",
            "cdk.json environment 'dev': setting 'streamPipe.batchSize' is invalid: Input should be less than or "
            "equal to 10 (got 50)",
        ],
    ),
    (
        "staging naming dev's Momento cache",
        edit("staging", ("cache", "cacheName"), "orders-dev"),
        "staging",
        ["cdk.json environment 'staging': setting 'cache.cacheName' is invalid: environment 'dev' uses the same "
         "Momento cache 'orders-dev'; e.g. 'orders-staging'"],
    ),
    (
        "prod naming staging's API key secret, both accounts unset",
        edit("prod", ("cache", "apiKeySecretName"), "orders/staging/momento-api-key"),
        "prod",
        ["cdk.json environment 'prod': setting 'cache.apiKeySecretName' is invalid: environment 'staging' may deploy "
         "to the same account and region and names the same secret 'orders/staging/momento-api-key'; e.g. "
         "'orders/prod/momento-api-key'"],
    ),
    (
        "staging naming dev's cache, seen from dev: the fix is staging's, not dev's own name again",
        edit("staging", ("cache", "cacheName"), "orders-dev"),
        "dev",
        ["cdk.json environment 'dev': setting 'cache.cacheName' is invalid: environment 'staging' uses the same "
         "Momento cache 'orders-dev', which is this environment's own: change 'staging's cache.cacheName, e.g. to "
         "'orders-staging'"],
    ),
    (
        "no region: a deploy would go wherever the credentials default to",
        edit("dev", ("region",), None),
        "dev",
        ["cdk.json environment 'dev': setting 'region' is invalid: Input should be a valid string (got null); e.g. "
         "'eu-west-1'"],
    ),
    (
        "a block of settings given as a number: no internal class name in the message",
        edit("dev", ("intake",), 5),
        "dev",
        ["cdk.json environment 'dev': setting 'intake' is invalid: it must be an object of settings ({...}) (got 5)"],
    ),
    (
        "a stream record age of a whole day (the stream's retention)",
        edit("prod", ("streamPipe", "maximumRecordAgeSeconds"), 86400),
        "prod",
        ["cdk.json environment 'prod': setting 'streamPipe.maximumRecordAgeSeconds' is invalid: must be at most 72000: "
         "the stream keeps records 24 h and the DLQ gets only pointers to them, so at least 4 h must be left to "
         "redrive (got 86400); e.g. 21600"],
    ),
    (
        "a missing setting",
        lambda blocks: blocks["prod"]["cache"].pop("cacheName") and blocks,
        "prod",
        ["cdk.json environment 'prod': missing setting 'cache.cacheName', e.g. 'orders-dev'"],
    ),
    (
        "no environment named (make synth ENV=)",
        lambda blocks: blocks,
        "",
        ["no environment named (-c env=<name>, or ENV=<name> for make); known: dev, local, prod, staging"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "mutate", "env_name", "expected"), BAD_CONFIGURATIONS, ids=[c[0] for c in BAD_CONFIGURATIONS]
)
def test_a_bad_configuration_is_refused_with_every_problem_named(
    change: str, mutate: Any, env_name: str, expected: list[str]
) -> None:
    with pytest.raises(ConfigError) as error:
        load_environment_config(mutate(environments()), env_name, environ={})
    assert str(error.value).splitlines() == expected


def test_a_json_syntax_error_names_its_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "cdk.json"
    broken.write_text('{\n  "context": {\n    "environments": {,\n  }\n}\n')
    with pytest.raises(ConfigError) as error:
        read_cdk_json(broken)
    assert str(error.value) == "cdk.json line 3 column 22: Expecting property name enclosed in double quotes"


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
    blocks = environments()
    blocks[env_name].update(settings)
    with pytest.raises(ConfigError) as error:
        load_environment_config(blocks, env_name, environ={})
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_only_prod_has_a_standby_region_and_it_publishes_from_the_primary() -> None:
    configs = {env_name: load_environment_config(environments(), env_name, environ={}) for env_name in ENVIRONMENTS}
    assert {name: c.secondary_region for name, c in configs.items()} == {
        "dev": None, "staging": None, "prod": "eu-central-1"
    }  # fmt: skip
    assert configs["prod"].regions == ["eu-west-1", "eu-central-1"]
    assert configs["prod"].publishing_region == "eu-west-1"
    assert configs["dev"].regions == ["eu-west-1"]


def test_event_replication_off_needs_a_standby() -> None:
    blocks = environments()
    blocks["staging"]["eventReplication"] = False
    with pytest.raises(ConfigError, match=r"eventReplication is a setting of the global endpoint: it needs secondary"):
        load_environment_config(blocks, "staging", environ={})
