"""cdk.json into the typed config of one environment, with every problem reported at once.

Each problem names the environment and the setting and, where the rule is a pattern, shows an example instead. On
top of the models' own rules, nothing that would let one environment's deploy touch another's is accepted: the
environment's name is its key (never a `name` setting), and it must fit the stack names built from it; two AWS
environments that could share an account and region may not share a Momento cache or an API key secret.

Only `app.py` (and tools that read the config the same way) call `load_environment_config`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from stacks.config import ENVIRONMENTS_CONTEXT_KEY, ConfigError, EnvironmentConfig
from stacks.names import Component, stack_name

# An environment's name is part of every stack name (`Orders-<env>-Data`), which CloudFormation limits to letters,
# digits and hyphens, starting with a letter; short enough to leave room for the rest of the name.
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,31}$")


def read_cdk_json(path: Path) -> dict[str, Any]:
    """cdk.json as a dict; a syntax error names its line and column."""
    try:
        content: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path.name} line {error.lineno} column {error.colno}: {error.msg}") from None
    return content


def load_environment_config(environments: Any, env_name: str, environ: Mapping[str, str]) -> EnvironmentConfig:
    """The block named `env_name` of the `environments` context value, checked.

    Account and region fall back to CDK_DEFAULT_ACCOUNT/CDK_DEFAULT_REGION when the block leaves them null.
    """
    block = _block(environments, env_name)
    problems = list(_name_problems(env_name, block))
    raw = {
        **block,
        "name": env_name,
        "account": block.get("account") or environ.get("CDK_DEFAULT_ACCOUNT"),
        "region": block.get("region") or environ.get("CDK_DEFAULT_REGION"),
    }
    config: EnvironmentConfig | None = None
    try:
        config = EnvironmentConfig.model_validate(raw)
    except ValidationError as error:
        problems.extend(_problem(env_name, detail) for detail in error.errors(include_url=False))
    if config is not None:
        problems.extend(_shared_with_another_environment(config, environments))
    if problems:
        raise ConfigError("\n".join(problems))
    assert config is not None
    return config


def _block(environments: Any, env_name: str) -> Mapping[str, Any]:
    if not isinstance(environments, Mapping) or not environments:
        raise ConfigError(f"cdk.json has no '{ENVIRONMENTS_CONTEXT_KEY}' context block with at least one environment")
    if not env_name:
        raise ConfigError(
            f"no environment named (-c env=<name>, or ENV=<name> for make); known: {_known(environments)}"
        )
    if env_name not in environments:
        raise ConfigError(f"unknown environment '{env_name}' (-c env=...); known environments: {_known(environments)}")
    block = environments[env_name]
    if not isinstance(block, Mapping):
        raise ConfigError(f"cdk.json environment '{env_name}' must be an object, got {type(block).__name__}")
    return block


def _known(environments: Mapping[str, Any]) -> str:
    return ", ".join(sorted(environments))


def _name_problems(env_name: str, block: Mapping[str, Any]) -> Iterator[str]:
    where = f"cdk.json environment '{env_name}'"
    if not ENVIRONMENT_NAME.match(env_name):
        example = re.sub(r"[^A-Za-z0-9-]", "-", env_name).strip("-") or "qa"
        stack = stack_name(env_name, Component.DATA)
        yield (
            f"{where}: the name cannot be part of a stack name ({stack}): use letters, digits and hyphens, starting "
            f"with a letter, at most 32 characters, e.g. '{example}'"
        )
    if "name" in block:
        yield (
            f"{where}: setting 'name' is not allowed: an environment is named by its key in cdk.json, so that a "
            f"deploy of '{env_name}' can only ever touch the stacks of '{env_name}'"
        )


def _problem(env_name: str, detail: ErrorDetails) -> str:
    key = ".".join(str(part) for part in detail["loc"])
    where = f"cdk.json environment '{env_name}'"
    if detail["type"] == "missing":
        return f"{where}: missing setting '{key}'{_example(detail['loc'], ', e.g. ')}"
    if detail["type"] == "extra_forbidden":
        return f"{where}: unknown setting '{key}'"
    if not key:  # a rule across several settings
        return f"{where}: {str(detail['msg']).removeprefix('Value error, ')}"
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "string_pattern_mismatch":
        message = "not of the expected form"
    if detail["type"] == "model_type":  # pydantic says "a valid dictionary or instance of <its class>"
        message = "it must be an object of settings ({...})"
    return (
        f"{where}: setting '{key}' is invalid: {message} (got {_as_written(detail['input'])})"
        f"{_example(detail['loc'], '; e.g. ')}"
    )


def _as_written(value: Any) -> str:
    """A value as cdk.json spells it (`null`, `true`), not as Python prints it (`None`, `True`)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return repr(value)


def _example(loc: tuple[int | str, ...], prefix: str) -> str:
    """The example the model gives for the setting at `loc`, if it has one."""
    model: type[BaseModel] = EnvironmentConfig
    field = None
    for part in loc:
        field = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        if field is None:
            return ""
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    if field is None or not field.examples:
        return ""
    return f"{prefix}{field.examples[0]!r}"


def _shared_with_another_environment(config: EnvironmentConfig, environments: Mapping[str, Any]) -> Iterator[str]:
    """Momento caches and API key secrets are named in the config, not generated: two AWS environments that could
    land in the same account and region (an unset account may be any) must not name the same ones."""
    if config.local_cloud:
        return
    for other_name, other in environments.items():
        if other_name == config.name or not isinstance(other, Mapping) or other.get("localCloud"):
            continue
        cache: Mapping[str, Any] = other["cache"] if isinstance(other.get("cache"), Mapping) else {}
        same_place = other.get("region") in (None, config.region) and (
            other.get("account") is None or config.account is None or other.get("account") == config.account
        )
        where = f"cdk.json environment '{config.name}'"
        if cache.get("endpoint") == config.cache.endpoint and cache.get("cacheName") == config.cache.cache_name:
            fix = _which_to_change(config.name, other_name, config.cache.cache_name, "orders-{}", "cache.cacheName")
            yield (
                f"{where}: setting 'cache.cacheName' is invalid: environment '{other_name}' uses the same Momento "
                + (f"cache {fix}")
            )
        if same_place and cache.get("apiKeySecretName") == config.cache.api_key_secret_name:
            yield (f"{where}: setting 'cache.apiKeySecretName' is invalid: environment '{other_name}' may deploy to "
                   f"the same account and region and names the same secret " + _which_to_change(
                       config.name, other_name, config.cache.api_key_secret_name, "orders/{}/momento-api-key",
                       "cache.apiKeySecretName"))  # fmt: skip


def _which_to_change(env_name: str, other_name: str, value: str, pattern: str, setting: str) -> str:
    """The fix for a name two environments share: this environment's own name for it, unless it already has that
    name, in which case the other environment is the one to change (suggesting the value in conflict fixes nothing)."""
    if value != pattern.format(env_name):
        return f"{value!r}; e.g. {pattern.format(env_name)!r}"
    return f"{value!r}, which is this environment's own: change '{other_name}'s {setting}, e.g. to " + repr(
        pattern.format(other_name)
    )


def main(argv: list[str]) -> int:
    """`python -m stacks.config_loading <env>`: check cdk.json's block for `env` (make's check-config)."""
    env_name = argv[0] if argv else ""
    try:
        context = read_cdk_json(Path(__file__).resolve().parent.parent / "cdk.json").get("context", {})
        load_environment_config(context.get(ENVIRONMENTS_CONTEXT_KEY), env_name, os.environ)
    except ConfigError as error:
        print(error.report(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
