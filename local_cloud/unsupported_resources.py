"""The one step that makes up for what the emulator's CloudFormation cannot create.

MiniStack 1.5.33's CloudFormation rejects `AWS::Events::Archive`, `AWS::Events::Connection` and
`AWS::Events::ApiDestination` ("Unrecognized resource types") although its EventBridge API has them. Before
`cdk deploy`, this step creates each such resource through that API, takes it out of its template and writes its
name or ARN wherever the template referred to it. A resource that needs something its own stack creates first (an
archive needs its bus) is created right after the deploy, under the ARN the template was already given. The
templates are otherwise deployed as synthesized. Remove a type from `MAKERS` as soon as the emulator creates it.
"""

from __future__ import annotations

import copy
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from local_cloud.assembly import CloudAssembly, Template
from local_cloud.deployed import DeployedStacks
from local_cloud.settings import LocalCloud, LocalCloudError

SECRET_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:([^:}]+):SecretString:([^:}]*):([^:}]*):([^:}]*)\}\}")


class Maker(ABC):
    max_name_length = 64

    def name(self, stack: str, logical_id: str) -> str:
        return f"{stack}-{logical_id}"[-self.max_name_length :]

    def predicted(self, cloud: LocalCloud, name: str) -> dict[str, str] | None:
        """The attributes the resource will have, if they can be known before it exists."""
        return None

    @abstractmethod
    def make(self, events: Any, name: str, properties: dict[str, Any]) -> dict[str, str]:
        """Create (or update) the resource; returns its `Ref` value and attributes."""


class ConnectionMaker(Maker):
    def make(self, events: Any, name: str, properties: dict[str, Any]) -> dict[str, str]:
        request = {
            key: properties[key] for key in ("AuthorizationType", "AuthParameters", "Description") if key in properties
        }
        try:
            arn = events.update_connection(Name=name, **request)["ConnectionArn"]
        except events.exceptions.ResourceNotFoundException:
            arn = events.create_connection(Name=name, **request)["ConnectionArn"]
        return {"Ref": name, "Arn": arn}


class ApiDestinationMaker(Maker):
    def make(self, events: Any, name: str, properties: dict[str, Any]) -> dict[str, str]:
        keys = ("ConnectionArn", "Description", "HttpMethod", "InvocationEndpoint", "InvocationRateLimitPerSecond")
        request = {key: properties[key] for key in keys if key in properties}
        try:
            arn = events.update_api_destination(Name=name, **request)["ApiDestinationArn"]
        except events.exceptions.ResourceNotFoundException:
            arn = events.create_api_destination(Name=name, **request)["ApiDestinationArn"]
        return {"Ref": name, "Arn": arn, "ArnForPolicy": arn}


class ArchiveMaker(Maker):
    max_name_length = 48

    def predicted(self, cloud: LocalCloud, name: str) -> dict[str, str]:
        return {"Ref": name, "Arn": f"arn:aws:events:{cloud.region}:{cloud.account}:archive/{name}"}

    def make(self, events: Any, name: str, properties: dict[str, Any]) -> dict[str, str]:
        request = {
            "EventSourceArn": properties["SourceArn"],
            "Description": properties.get("Description", ""),
            "EventPattern": json.dumps(properties["EventPattern"]),
            "RetentionDays": properties.get("RetentionDays", 0),
        }
        try:
            arn = events.create_archive(ArchiveName=name, **request)["ArchiveArn"]
        except events.exceptions.ResourceAlreadyExistsException:
            del request["EventSourceArn"]
            arn = events.update_archive(ArchiveName=name, **request)["ArchiveArn"]
        return {"Ref": name, "Arn": arn}


MAKERS: dict[str, Maker] = {
    "AWS::Events::Connection": ConnectionMaker(),
    "AWS::Events::ApiDestination": ApiDestinationMaker(),
    "AWS::Events::Archive": ArchiveMaker(),
}


@dataclass
class Deferred:
    """A resource to create once its stack is deployed, with the attributes its template was given."""

    stack: str
    logical_id: str
    name: str
    properties: dict[str, Any]
    template: Template
    promised: dict[str, str]


@dataclass
class Provisioning:
    """What the step did, for the deploy's report."""

    made: list[str] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)


def provision_before_deploy(cloud: LocalCloud, assembly: CloudAssembly) -> Provisioning:
    report = Provisioning()
    for stack in assembly.stack_names():
        template = assembly.template(stack)
        unsupported = [lid for lid, r in template["Resources"].items() if r["Type"] in MAKERS]
        if not unsupported:
            continue
        synthesized = copy.deepcopy(template)  # deferred resources resolve against what CloudFormation deploys
        attributes: dict[str, dict[str, str]] = {}
        for logical_id in _in_creation_order(template, unsupported):
            attributes[logical_id] = _provision(cloud, stack, synthesized, logical_id, made=attributes, report=report)
        _wire_in(template, attributes)
        assembly.save_template(stack, template)
    return report


def _provision(
    cloud: LocalCloud, stack: str, template: Template, logical_id: str, *,
    made: dict[str, dict[str, str]], report: Provisioning,
) -> dict[str, str]:  # fmt: skip
    resource = template["Resources"][logical_id]
    maker = MAKERS[resource["Type"]]
    name = maker.name(stack, logical_id)
    properties = _substituted(resource.get("Properties", {}), made)
    if not _references(properties):
        report.made.append(f"{resource['Type']} {name}")
        return maker.make(cloud.client("events"), name, _with_secrets(cloud, properties))
    promised = maker.predicted(cloud, name)
    if promised is None:
        raise LocalCloudError(f"{stack}/{logical_id} ({resource['Type']}) refers to {sorted(_references(properties))}"
                              f" of its own stack, and its ARN cannot be known before it exists")  # fmt: skip
    report.deferred.append(Deferred(stack, logical_id, name, properties, template, promised))
    return promised


def provision_after_deploy(cloud: LocalCloud, report: Provisioning) -> None:
    deployed = DeployedStacks(cloud.client)
    for item in report.deferred:
        maker = MAKERS[item.template["Resources"][item.logical_id]["Type"]]
        properties = deployed.resolve(item.stack, item.template, item.properties)
        made = maker.make(cloud.client("events"), item.name, _with_secrets(cloud, properties))
        if made != item.promised:
            raise LocalCloudError(f"{item.stack}/{item.logical_id} was created as {made}, not {item.promised}")
        report.made.append(f"{item.template['Resources'][item.logical_id]['Type']} {item.name} (after the deploy)")


def _in_creation_order(template: Template, logical_ids: list[str]) -> list[str]:
    """Resources that refer to none of the others first (an API destination needs its connection's ARN)."""
    ordered: list[str] = []
    remaining = list(logical_ids)
    while remaining:
        ready = [i for i in remaining if not (_references(template["Resources"][i]) & (set(remaining) - {i}))]
        if not ready:
            raise LocalCloudError(f"unsupported resources refer to each other in a cycle: {remaining}")
        ordered.extend(ready)
        remaining = [i for i in remaining if i not in ready]
    return ordered


def _references(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    if "Ref" in node and not str(node["Ref"]).startswith("AWS::"):
        return {node["Ref"]}
    if "Fn::GetAtt" in node:
        return {node["Fn::GetAtt"][0]}
    return set().union(*(_references(value) for value in node.values())) if node else set()


def _substituted(node: Any, made: dict[str, dict[str, str]]) -> Any:
    """`node` with every reference to a resource in `made` replaced by its value."""
    if isinstance(node, list):
        return [_substituted(item, made) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("Ref") in made:
        return made[node["Ref"]]["Ref"]
    if "Fn::GetAtt" in node and node["Fn::GetAtt"][0] in made:
        logical_id, attribute = node["Fn::GetAtt"]
        return made[logical_id][attribute]
    return {key: _substituted(value, made) for key, value in node.items()}


def _wire_in(template: Template, made: dict[str, dict[str, str]]) -> None:
    for logical_id in made:
        del template["Resources"][logical_id]
    for resource in template["Resources"].values():
        depends_on = resource.get("DependsOn")
        if depends_on is not None:
            kept = [d for d in ([depends_on] if isinstance(depends_on, str) else depends_on) if d not in made]
            resource["DependsOn"] = kept
    for section in ("Resources", "Outputs", "Conditions"):
        if section in template:
            template[section] = _substituted(template[section], made)
    left = _references(template) & set(made)
    if left:
        raise LocalCloudError(f"the template still refers to {sorted(left)} after they were taken out")


def _with_secrets(cloud: LocalCloud, properties: dict[str, Any]) -> dict[str, Any]:
    """Dynamic references to Secrets Manager resolved, as CloudFormation resolves them when it creates a resource."""
    secrets = cloud.client("secretsmanager")

    def value(match: re.Match[str]) -> str:
        secret_id, json_key, _, _ = match.groups()
        text = str(secrets.get_secret_value(SecretId=secret_id)["SecretString"])
        return str(json.loads(text)[json_key]) if json_key else text

    resolved: dict[str, Any] = json.loads(
        SECRET_REFERENCE.sub(lambda m: json.dumps(value(m))[1:-1], json.dumps(properties))
    )
    return resolved
