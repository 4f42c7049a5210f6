"""The local deploy's one workaround: what the emulator's CloudFormation cannot create is made through its API and
wired into the templates, which are re-keyed so the CDK CLI uploads the edited versions."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from devtools.fake_aws import FakeCloud, FakeEvents, FakeSecrets
from local_cloud.assembly import CloudAssembly
from local_cloud.unsupported_resources import MAKERS, provision_after_deploy, provision_before_deploy
from stacks.names import Component, Output, stack_name
from tests.support.synth import synthesize
from tests.support.templates import references

SECRET = "momento-key-from-secrets-manager"


class FakeCloudFormation:
    def __init__(self, resources: dict[str, dict[str, str]]) -> None:
        self._resources = resources

    def describe_stack_resources(self, StackName: str) -> dict[str, Any]:
        return {
            "StackResources": [
                {"LogicalResourceId": logical, "PhysicalResourceId": physical}
                for logical, physical in self._resources[StackName].items()
            ]
        }


class FakeBusEvents(FakeEvents):
    def describe_event_bus(self, Name: str) -> dict[str, str]:
        return {"Arn": f"arn:aws:events:eu-west-1:000000000000:event-bus/{Name}"}


@pytest.fixture
def assembly(tmp_path: Path) -> CloudAssembly:
    directory = tmp_path / "cdk.out"
    shutil.copytree(synthesize("local").assembly_dir, directory)
    return CloudAssembly(directory)


@pytest.fixture
def cloud() -> FakeCloud:
    secret_name = synthesize("local").config.cache.api_key_secret_name
    return FakeCloud({"events": FakeBusEvents(), "secretsmanager": FakeSecrets({secret_name: SECRET})})


def unsupported_left(template: dict[str, Any]) -> list[str]:
    return [logical for logical, r in template["Resources"].items() if r["Type"] in MAKERS]


def test_connection_and_destinations_are_made_first_and_wired_into_the_rules(
    assembly: CloudAssembly, cloud: FakeCloud
) -> None:
    cache_stack = stack_name("local", Component.CACHE_INTEGRATION)
    synthesized = assembly.template(cache_stack)
    provision_before_deploy(cloud, assembly)  # type: ignore[arg-type]

    template = assembly.template(cache_stack)
    assert unsupported_left(template) == []
    declared = set(template["Resources"]) | set(template.get("Parameters", {}))
    assert {ref for ref in references(template) - declared if not ref.startswith("AWS::")} == set()
    made = cloud.clients["events"].created
    [connection] = [m for m in made.values() if m["kind"] == "connection"]
    assert connection["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyValue"] == SECRET
    destinations = {name: m for name, m in made.items() if m["kind"] == "api-destination"}
    assert all(d["ConnectionArn"] == connection["Arn"] for d in destinations.values())
    rule_targets = {
        target["Arn"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Events::Rule"
        for target in resource["Properties"]["Targets"]
        if "HttpParameters" in target or ":api-destination/" in json.dumps(target["Arn"])
    }
    assert rule_targets == {d["Arn"] for d in destinations.values()}
    replaced = [r for r in synthesized["Resources"].values()
                if r["Type"] in ("AWS::Events::Connection", "AWS::Events::ApiDestination")]  # fmt: skip
    assert len(replaced) == 1 + len(destinations)
    assert len(synthesized["Resources"]) - len(template["Resources"]) == len(replaced)


def test_the_archive_waits_for_its_bus_under_the_arn_the_outputs_already_name(
    assembly: CloudAssembly, cloud: FakeCloud
) -> None:
    fabric = stack_name("local", Component.EVENT_FABRIC)
    report = provision_before_deploy(cloud, assembly)  # type: ignore[arg-type]
    outputs = assembly.template(fabric)["Outputs"]
    [deferred] = report.deferred
    assert outputs[Output.ARCHIVE_ARN]["Value"] == deferred.promised["Arn"]
    assert outputs[Output.ARCHIVE_NAME]["Value"] == deferred.name
    assert cloud.clients["events"].created == {
        name: made for name, made in cloud.clients["events"].created.items() if made["kind"] != "archive"
    }

    bus_id = deferred.properties["SourceArn"]["Fn::GetAtt"][0]
    cloud.clients["cloudformation"] = FakeCloudFormation({fabric: {bus_id: "orders-local-bus"}})
    provision_after_deploy(cloud, report)  # type: ignore[arg-type]
    archive = cloud.clients["events"].created[deferred.name]
    assert archive["Arn"] == deferred.promised["Arn"]
    assert archive["EventSourceArn"].endswith("event-bus/orders-local-bus")
    assert json.loads(archive["EventPattern"]) == {"source": [{"prefix": ""}]}


def test_edited_templates_get_new_asset_keys_so_the_cli_uploads_them(assembly: CloudAssembly, cloud: FakeCloud) -> None:
    provision_before_deploy(cloud, assembly)  # type: ignore[arg-type]
    manifest = json.loads((assembly.directory / "manifest.json").read_text())
    for stack in assembly.stack_names():
        properties = manifest["artifacts"][stack]["properties"]
        digest = hashlib.sha256((assembly.directory / properties["templateFile"]).read_bytes()).hexdigest()
        assets = json.loads((assembly.directory / f"{stack}.assets.json").read_text())
        if stack in (stack_name("local", Component.EVENT_FABRIC), stack_name("local", Component.CACHE_INTEGRATION)):
            assert properties["stackTemplateAssetObjectUrl"].endswith(f"/{digest}.json")
            assert assets["files"][digest]["source"]["path"] == properties["templateFile"]
        else:  # untouched templates keep the key the CLI computed
            assert unsupported_left(assembly.template(stack)) == []
