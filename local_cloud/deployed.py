"""The deployed stacks as the emulator's CloudFormation knows them: physical ids, outputs, and template values
resolved to what they became (`Ref`, `Fn::GetAtt`, `Fn::GetStackOutput`, `Fn::Join`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from local_cloud.settings import LocalCloudError

Template = dict[str, Any]
ClientFactory = Callable[[str], Any]


def load_template(assembly_dir: Path, stack_name: str) -> Template:
    template: Template = json.loads((assembly_dir / f"{stack_name}.template.json").read_text())
    return template


class DeployedStacks:
    def __init__(self, client: ClientFactory) -> None:
        self._client = client
        self._cloudformation = client("cloudformation")

    @cache  # noqa: B019 - one instance per reload of the deployment; the cache dies with it
    def physical_ids(self, stack_name: str) -> dict[str, str]:
        resources = self._cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
        return {resource["LogicalResourceId"]: resource["PhysicalResourceId"] for resource in resources}

    @cache  # noqa: B019
    def outputs(self, stack_name: str) -> dict[str, str]:
        [stack] = self._cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
        return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}

    def physical_id(self, stack_name: str, logical_id: str) -> str:
        try:
            return self.physical_ids(stack_name)[logical_id]
        except KeyError:
            raise LocalCloudError(f"{stack_name} has no deployed resource {logical_id}") from None

    def resolve(self, stack_name: str, template: Template, node: Any) -> Any:
        """`node` (a piece of `template`) with every reference replaced by the deployed value it stands for."""
        if isinstance(node, list):
            return [self.resolve(stack_name, template, item) for item in node]
        if not isinstance(node, dict):
            return node
        intrinsic = next((key for key in node if key == "Ref" or key.startswith("Fn::")), None)
        if intrinsic is None:
            return {key: self.resolve(stack_name, template, value) for key, value in node.items()}
        return self._intrinsic(stack_name, template, intrinsic, node[intrinsic])

    def _intrinsic(self, stack_name: str, template: Template, name: str, argument: Any) -> Any:
        if name == "Ref":
            return self.physical_id(stack_name, argument)
        if name == "Fn::GetAtt":
            logical_id, attribute = argument
            resource_type = template["Resources"][logical_id]["Type"]
            return self.attribute(resource_type, self.physical_id(stack_name, logical_id), attribute)
        if name == "Fn::GetStackOutput":
            return self.outputs(argument["StackName"])[argument["OutputName"]]
        if name == "Fn::Join":
            separator, parts = argument
            return str(separator).join(str(self.resolve(stack_name, template, part)) for part in parts)
        raise LocalCloudError(f"cannot resolve {name} in {stack_name}: not a reference this tool knows")

    def attribute(self, resource_type: str, physical_id: str, attribute: str) -> str:
        reader = _ATTRIBUTES.get((resource_type, attribute))
        if reader is None:
            raise LocalCloudError(f"cannot read {attribute} of a deployed {resource_type} ({physical_id})")
        return reader(self._client, physical_id)


def _function_arn(client: ClientFactory, name: str) -> str:
    return str(client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"])


def _queue_arn(client: ClientFactory, url: str) -> str:
    return str(client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _bus_arn(client: ClientFactory, name: str) -> str:
    return str(client("events").describe_event_bus(Name=name)["Arn"])


def _table(client: ClientFactory, name: str) -> dict[str, Any]:
    table: dict[str, Any] = client("dynamodb").describe_table(TableName=name)["Table"]
    return table


def _role_arn(client: ClientFactory, name: str) -> str:
    return str(client("iam").get_role(RoleName=name)["Role"]["Arn"])


_ATTRIBUTES: dict[tuple[str, str], Callable[[ClientFactory, str], str]] = {
    ("AWS::Lambda::Function", "Arn"): _function_arn,
    ("AWS::SQS::Queue", "Arn"): _queue_arn,
    ("AWS::Events::EventBus", "Arn"): _bus_arn,
    ("AWS::DynamoDB::GlobalTable", "Arn"): lambda client, name: str(_table(client, name)["TableArn"]),
    ("AWS::DynamoDB::GlobalTable", "StreamArn"): lambda client, name: str(_table(client, name)["LatestStreamArn"]),
    ("AWS::IAM::Role", "Arn"): _role_arn,
}
