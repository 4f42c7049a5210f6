"""Every kind of mistake in cdk.json is refused with one clear line per problem, naming the environment, the setting
and an example; a JSON syntax error names its line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import ConfigError
from stacks.config_loading import load_environment_config, read_cdk_json
from tests.support.synth import environment_blocks


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
        load_environment_config(mutate(environment_blocks()), env_name, environ={})
    assert str(error.value).splitlines() == expected


def test_a_json_syntax_error_names_its_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "cdk.json"
    broken.write_text('{\n  "context": {\n    "environments": {,\n  }\n}\n')
    with pytest.raises(ConfigError) as error:
        read_cdk_json(broken)
    assert str(error.value) == "cdk.json line 3 column 22: Expecting property name enclosed in double quotes"
