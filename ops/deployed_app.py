"""A deployed environment, found through its stack outputs (stack names and output keys from `stacks.names`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.aws import OperatorError
from stacks.names import OUTPUT_OWNERS, Output, stack_name

ClientFactory = Callable[[str], Any]


class EnvironmentNotDeployed(OperatorError):
    """A stack or output a tool needs is missing; the message names it."""


@dataclass(frozen=True)
class DeployedApp:
    env_name: str
    outputs: dict[Output, str]

    @classmethod
    def find(cls, client: ClientFactory, env_name: str) -> DeployedApp:
        cloudformation = client("cloudformation")
        by_stack: dict[str, dict[str, str]] = {}
        outputs: dict[Output, str] = {}
        for output, component in OUTPUT_OWNERS.items():
            name = stack_name(env_name, component)
            if name not in by_stack:
                by_stack[name] = _stack_outputs(cloudformation, name)
            if output not in by_stack[name]:
                raise EnvironmentNotDeployed(f"stack {name} has no output {output}: is it deployed from this version?")
            outputs[output] = by_stack[name][output]
        return cls(env_name, outputs)

    def __getitem__(self, output: Output) -> str:
        return self.outputs[output]


def _stack_outputs(cloudformation: Any, name: str) -> dict[str, str]:
    try:
        [stack] = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" not in str(error):
            raise
        raise EnvironmentNotDeployed(
            f"stack {name} does not exist in this account and region: deploy it first"
        ) from None
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def output_of(cloudformation: Any, env_name: str, output: Output) -> str:
    """One output, from the stack that owns it."""
    name = stack_name(env_name, OUTPUT_OWNERS[output])
    outputs = _stack_outputs(cloudformation, name)
    if output not in outputs:
        raise EnvironmentNotDeployed(f"stack {name} has no output {output}: is it deployed from this version?")
    return outputs[output]
