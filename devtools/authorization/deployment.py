"""The synthesized templates of one environment as if they were deployed: every Ref, Fn::GetAtt, Fn::Join, Fn::Sub
and Fn::GetStackOutput resolved to the name or ARN CloudFormation would give it.

Generated names are `<stack name>-<logical id>` (IAM's, which are global, end in the region too): unique, and stable
between runs; an explicit name property wins.
The ARN formats are those of each service's "Actions, resources, and condition keys" page in the Service
Authorization Reference. A resource type or attribute not in `_SHAPES` raises `UnknownResource`: a check that
guessed an ARN could match a policy by accident.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

Template = dict[str, Any]
# The account an environment-agnostic stack (account null in cdk.json) is evaluated in.
EVALUATION_ACCOUNT = "111111111111"
STREAM_LABEL = "2026-01-01T00:00:00.000"


class UnknownResource(Exception):
    """A template uses a resource type, attribute or intrinsic this resolver does not know."""


@dataclass(frozen=True)
class DeployedStack:
    artifact_id: str
    stack_name: str
    region: str
    account: str
    template: Template


@dataclass(frozen=True)
class Located:
    """One resource of one stack, with the names CloudFormation gives it."""

    stack: DeployedStack
    logical_id: str
    resource: dict[str, Any]
    name: str

    @property
    def type(self) -> str:
        return str(self.resource["Type"])

    @property
    def properties(self) -> dict[str, Any]:
        properties: dict[str, Any] = self.resource.get("Properties", {})
        return properties

    @property
    def path(self) -> str:
        """The construct path, or stack/logical id where the template has no path metadata."""
        path = self.resource.get("Metadata", {}).get("aws:cdk:path")
        return str(path).removesuffix("/Resource") if path else f"{self.stack.artifact_id}/{self.logical_id}"


Arn = Callable[[Located], str]


def _arn(service: str, resource: str, *, regional: bool = True) -> Arn:
    def build(at: Located) -> str:
        region = at.stack.region if regional else ""
        return f"arn:aws:{service}:{region}:{at.stack.account}:{resource.format(name=at.name)}"

    return build


def _queue_url(at: Located) -> str:
    return f"https://sqs.{at.stack.region}.amazonaws.com/{at.stack.account}/{at.name}"


def _name(at: Located) -> str:
    return at.name


@dataclass(frozen=True)
class _Shape:
    name_property: str | None
    ref: Arn
    attributes: dict[str, Arn]


_TABLE = _arn("dynamodb", "table/{name}")
_SHAPES: dict[str, _Shape] = {
    "AWS::SNS::Topic": _Shape("TopicName", _arn("sns", "{name}"), {"TopicArn": _arn("sns", "{name}"),
                                                                  "TopicName": _name}),
    "AWS::SQS::Queue": _Shape("QueueName", _queue_url, {"Arn": _arn("sqs", "{name}"), "QueueName": _name,
                                                         "QueueUrl": _queue_url}),
    "AWS::Events::EventBus": _Shape("Name", _name, {"Arn": _arn("events", "event-bus/{name}"), "Name": _name}),
    "AWS::Events::Rule": _Shape("Name", _name, {}),  # Arn: Deployment._rule_arn (it needs the bus's name)
    "AWS::Events::Archive": _Shape("ArchiveName", _name, {"Arn": _arn("events", "archive/{name}")}),
    "AWS::Events::Connection": _Shape("Name", _name, {
        "Arn": _arn("events", "connection/{name}/id"),
        "SecretArn": _arn("secretsmanager", "secret:events!connection/{name}")}),
    "AWS::Events::ApiDestination": _Shape("Name", _name, {"Arn": _arn("events", "api-destination/{name}/id")}),
    "AWS::Events::Endpoint": _Shape("Name", _name, {"Arn": _arn("events", "endpoint/{name}")}),
    "AWS::Logs::LogGroup": _Shape("LogGroupName", _name, {"Arn": _arn("logs", "log-group:{name}:*")}),
    "AWS::IAM::Role": _Shape("RoleName", _name, {"Arn": _arn("iam", "role/{name}", regional=False)}),
    "AWS::IAM::OIDCProvider": _Shape(None, _name, {"Arn": _arn("iam", "oidc-provider/{name}", regional=False)}),
    "AWS::Lambda::Function": _Shape("FunctionName", _name, {"Arn": _arn("lambda", "function:{name}")}),
    "AWS::Lambda::LayerVersion": _Shape("LayerName", _arn("lambda", "layer:{name}:1"), {}),
    "AWS::DynamoDB::GlobalTable": _Shape("TableName", _name, {"Arn": _TABLE, "StreamArn": _arn(
        "dynamodb", "table/{name}/stream/" + STREAM_LABEL)}),
    "AWS::DynamoDB::Table": _Shape("TableName", _name, {"Arn": _TABLE, "StreamArn": _arn(
        "dynamodb", "table/{name}/stream/" + STREAM_LABEL)}),
    "AWS::StepFunctions::StateMachine": _Shape("StateMachineName", _arn("states", "stateMachine:{name}"),
                                                {"Name": _name, "Arn": _arn("states", "stateMachine:{name}")}),
    "AWS::Pipes::Pipe": _Shape("Name", _name, {"Arn": _arn("pipes", "pipe/{name}")}),
    "AWS::CloudWatch::Alarm": _Shape("AlarmName", _name, {"Arn": _arn("cloudwatch", "alarm:{name}")}),
    "AWS::Route53::HealthCheck": _Shape(None, _name, {}),
    "AWS::EventSchemas::Registry": _Shape("RegistryName", _name, {"RegistryName": _name}),
}  # fmt: skip


class Deployment:
    """One environment's stacks, in every region it deploys to, with references resolved across them."""

    def __init__(self, stacks: Sequence[DeployedStack]) -> None:
        self.stacks = list(stacks)
        self._by_name = {(s.stack_name, s.region): s for s in stacks}

    @property
    def regions(self) -> list[str]:
        return sorted({s.region for s in self.stacks})

    def resources(self, *types: str) -> Iterator[Located]:
        for stack in self.stacks:
            for logical_id, resource in stack.template.get("Resources", {}).items():
                if resource["Type"] in types:
                    yield self.located(stack, logical_id)

    def located(self, stack: DeployedStack, logical_id: str) -> Located:
        resource = stack.template["Resources"].get(logical_id)
        if resource is None:
            raise UnknownResource(f"{stack.artifact_id} has no resource {logical_id}")
        shape = _SHAPES.get(resource["Type"])
        explicit = resource.get("Properties", {}).get(shape.name_property) if shape and shape.name_property else None
        # IAM names are global: two regions' copies of one stack must not generate the same role name.
        suffix = f"-{stack.region}" if resource["Type"].startswith("AWS::IAM::") else ""
        name = explicit if isinstance(explicit, str) else f"{stack.stack_name}-{logical_id}{suffix}"
        if resource["Type"] == "AWS::IAM::OIDCProvider":
            name = str(resource["Properties"]["Url"]).removeprefix("https://")
        return Located(stack, logical_id, resource, name)

    def ref(self, stack: DeployedStack, logical_id: str) -> str:
        pseudo = {"AWS::AccountId": stack.account, "AWS::Region": stack.region, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": stack.stack_name}  # fmt: skip
        if logical_id in pseudo:
            return pseudo[logical_id]
        at = self.located(stack, logical_id)
        return self._shape(at).ref(at)

    def get_att(self, stack: DeployedStack, logical_id: str, attribute: str) -> str:
        at = self.located(stack, logical_id)
        if at.type == "Custom::AWS":
            return self._custom_resource_output(at, attribute)
        build = self._shape(at).attributes.get(attribute)
        if build is None:
            raise UnknownResource(f"Fn::GetAtt {at.type}.{attribute} ({at.path})")
        return build(at)

    def _shape(self, at: Located) -> _Shape:
        shape = _SHAPES.get(at.type)
        if shape is None:
            raise UnknownResource(f"resource type {at.type} ({at.path})")
        if at.type == "AWS::Events::Rule":  # a rule's ARN carries its bus's name, which may be a reference
            return _Shape(shape.name_property, shape.ref, {"Arn": self._rule_arn})
        return shape

    def _rule_arn(self, at: Located) -> str:
        bus = at.properties.get("EventBusName")
        bus_name = self.resolve(at.stack, bus) if bus is not None else "default"
        prefix = "" if bus_name == "default" else f"{bus_name}/"
        return f"arn:aws:events:{at.stack.region}:{at.stack.account}:rule/{prefix}{at.name}"

    def _custom_resource_output(self, at: Located, attribute: str) -> str:
        """AwsCustomResource: only DynamoDB DescribeTable's LatestStreamArn is used here (the standby's replica)."""
        call = json.loads(self.resolve(at.stack, at.properties["Create"]))
        if (call["service"], call["action"], attribute) != ("DynamoDB", "describeTable", "Table.LatestStreamArn"):
            raise UnknownResource(f"custom resource output {call['service']}.{call['action']} {attribute}")
        table = call["parameters"]["TableName"]
        return f"arn:aws:dynamodb:{at.stack.region}:{at.stack.account}:table/{table}/stream/{STREAM_LABEL}"

    def resolve(self, stack: DeployedStack, node: Any) -> Any:
        """`node` with every intrinsic function replaced by its value."""
        if isinstance(node, list):
            return [self.resolve(stack, value) for value in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, value), *_ = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self._intrinsic(stack, key, value)
        return {key: self.resolve(stack, value) for key, value in node.items()}

    def _intrinsic(self, stack: DeployedStack, key: str, value: Any) -> Any:
        if key == "Ref":
            return self.ref(stack, value)
        if key == "Fn::GetAtt":
            logical_id, attribute = value if isinstance(value, list) else value.split(".", 1)
            return self.get_att(stack, logical_id, attribute)
        if key == "Fn::Join":
            separator, parts = value
            return separator.join(str(self.resolve(stack, part)) for part in parts)
        if key == "Fn::Sub":
            return self._sub(stack, value)
        if key == "Fn::GetStackOutput":
            return self.output(value["StackName"], value.get("Region", stack.region), value["OutputName"])
        raise UnknownResource(f"intrinsic {key}")

    def _sub(self, stack: DeployedStack, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else value

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(stack, variables[name]))
            if "." in name:
                logical_id, attribute = name.split(".", 1)
                return self.get_att(stack, logical_id, attribute)
            return self.ref(stack, name)

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)

    def output(self, stack_name: str, region: str, output_name: str) -> Any:
        stack = self._by_name.get((stack_name, region))
        if stack is None:
            raise UnknownResource(f"Fn::GetStackOutput of {stack_name} in {region}, which is not in the app")
        return self.resolve(stack, stack.template["Outputs"][output_name]["Value"])

    def policy(self, stack: DeployedStack, document: Any) -> list[dict[str, Any]]:
        """A policy document's statements, resolved (a document may be a JSON string built with Fn::Join)."""
        resolved = self.resolve(stack, document)
        if isinstance(resolved, str):
            resolved = json.loads(resolved)
        statements = resolved["Statement"]
        return list(statements if isinstance(statements, list) else [statements])

    def find_arn(self, arn: str) -> Located | None:
        """The resource of the app whose ARN (or reference value) is `arn`."""
        return self._by_value.get(arn)

    @functools.cached_property
    def _by_value(self) -> dict[str, Located]:
        """Every resource by each of its names and ARNs, built once; the first resource with a value keeps it."""
        index: dict[str, Located] = {}
        for stack in self.stacks:
            for logical_id, resource in stack.template.get("Resources", {}).items():
                if resource["Type"] not in _SHAPES:
                    continue
                at = self.located(stack, logical_id)
                shape = self._shape(at)
                for value in (shape.ref(at), *(build(at) for build in shape.attributes.values())):
                    index.setdefault(value, at)
        return index
