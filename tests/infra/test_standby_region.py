"""prod's standby region: the same stacks built by the same code, one publishing pipe, a global endpoint that fails
over on the primary's health, and a global table replica. dev and staging have no standby (their snapshots pin
that nothing changed for them)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import App

from stacks.names import Component, FailoverOutput, bus_name, failover_stack_name, table_name
from stacks.orders_app import build_orders_app
from tests.support.synth import ENVIRONMENTS, cdk_json_context, environment_config, synthesize
from tests.support.templates import masked_for_snapshot, only_resource, references, resources_of_type

PROD = environment_config("prod")
PRIMARY, STANDBY = str(PROD.region), str(PROD.secondary_region)

# Where the standby's copy of a stack may differ from the primary's, and why. Paths are JSON paths into the template
# after `_normalized` (region names and CDK's hashes masked, metadata dropped).
ALLOWED_DIFFERENCES = {
    r"/Description": "the description says it is the standby",
    r"/Properties/AlarmDescription": "an alarm's commands run against the standby region (AWS_REGION=...)",
    r"/StreamPipe[^/]*/Properties/DesiredState": "the standby's stream pipe is deployed stopped",
    r"/OrderSweeperSweepSchedule[^/]*/Properties/State": "the standby's sweeper is deployed disabled, as its pipe",
    # The primary's stacks reach the Data stack's table by a cross-stack reference; the standby's reach the replica,
    # whose name and stream ARN its own Data stack outputs (the same name: a replica has its table's name).
    r"/Properties/Source": "the pipe reads the replica's stream",
    r"/Properties/PolicyDocument/Statement/\d+/Resource": "grants name the replica's table and stream",
    # The workflow's role names the primary's table twice (its exported ARN for the transactions, an ARN built from
    # its name for the DynamoDB tasks), which stay two statements; the replica's one ARN merges them into one.
    r"/OrderWorkflowStateMachineRoleDefaultPolicy[^/]*/Properties/PolicyDocument/Statement": "one table ARN, one "
    "statement",
    r"/Properties/Environment/Variables/TABLE_NAME": "functions use the replica by its name",
    r"/Properties/DefinitionString": "the workflow's DynamoDB tasks name the replica",
    r"/Properties/TargetParameters/EventBridgeEventBusParameters/Resources/\d+": "an event's resource is the table",
    r"/Outputs/PublishOutput[^/]*": "CDK publishes the primary's values for the standby's cross-region references",
}


def _normalized(template: dict[str, Any], *, standby: bool) -> dict[str, Any]:
    """Region names and what CDK derives from construct ids (hash suffixes, squeezed ids) made comparable."""
    # Both regions call the same Momento cache (the config's one endpoint), whose URL names its region
    text = json.dumps(masked_for_snapshot(template)).replace(PROD.cache.endpoint, "<cache>")
    if standby:  # the standby's construct ids are `<stack name>-<region>`
        text = re.sub(rf"(Orders-prod-[A-Za-z]+)-{STANDBY}", r"\1", text).replace(STANDBY.replace("-", ""), "")
    text = text.replace(STANDBY if standby else PRIMARY, "<region>")
    text = re.sub(r"(?<=[A-Za-z0-9])(?:[0-9A-F]{8}){1,2}\b", "<hash>", text)
    normalized: dict[str, Any] = json.loads(text)
    for resource in normalized["Resources"].values():
        resource.pop("Metadata", None)
    return normalized


def _differences(primary: Any, standby: Any, path: str = "") -> list[str]:
    if isinstance(primary, dict) and isinstance(standby, dict):
        return [
            found
            for key in sorted(set(primary) | set(standby))
            for found in (
                _differences(primary[key], standby[key], f"{path}/{key}")
                if key in primary and key in standby
                else [f"{path}/{key}"]
            )
        ]
    if isinstance(primary, list) and isinstance(standby, list) and len(primary) == len(standby):
        return [
            found
            for i, (a, b) in enumerate(zip(primary, standby, strict=True))
            for found in _differences(a, b, f"{path}/{i}")
        ]
    return [] if primary == standby else [path]


def _unexplained(difference: str) -> bool:
    return not any(re.search(f"{pattern}(/|$)", difference) for pattern in ALLOWED_DIFFERENCES)


def test_both_regions_have_every_stack_under_the_same_names() -> None:
    app = synthesize("prod").app
    assert app.standby is not None
    assert app.failover is not None
    assert app.standby.operations is None  # one dashboard: the primary's has the standby's rows
    for primary, standby in zip(app.primary.all()[:-1], app.standby.all(), strict=True):
        assert primary.region == PRIMARY
        assert (standby.stack_name, standby.region) == (primary.stack_name, STANDBY)
        assert standby.artifact_id == f"{primary.stack_name}-{STANDBY}"
    assert (app.failover.stack_name, app.failover.region) == (failover_stack_name("prod"), PRIMARY)


@pytest.mark.parametrize("component", [c for c in Component if c not in (Component.DATA, Component.OPERATIONS)])
def test_the_standby_copy_differs_only_where_it_must(component: Component) -> None:
    app = synthesize("prod")
    primary = _normalized(app.template(component), standby=False)
    standby = _normalized(app.standby_template(component), standby=True)
    assert [d for d in _differences(primary, standby) if _unexplained(d)] == []


def test_the_standby_data_stack_creates_no_table_and_finds_the_replica_by_name() -> None:
    template = synthesize("prod").standby_template(Component.DATA)
    assert resources_of_type(template, "AWS::DynamoDB::GlobalTable") == {}
    assert resources_of_type(template, "AWS::DynamoDB::Table") == {}
    assert template["Outputs"]["TableName"]["Value"] == table_name("prod")
    [lookup] = resources_of_type(template, "Custom::AWS").values()
    create = json.loads(lookup["Properties"]["Create"])
    assert (create["service"], create["action"]) == ("DynamoDB", "describeTable")
    assert create["parameters"] == {"TableName": table_name("prod")}


def _pipe_state(template: dict[str, Any]) -> str:
    [pipe] = (
        p for p in resources_of_type(template, "AWS::Pipes::Pipe").values() if "DynamoDBStreamParameters" in
        p["Properties"].get("SourceParameters", {})
    )  # fmt: skip
    return str(pipe["Properties"].get("DesiredState", "RUNNING"))


def test_exactly_one_stream_pipe_publishes() -> None:
    app = synthesize("prod")
    states = {
        PRIMARY: _pipe_state(app.template(Component.EVENT_FABRIC)),
        STANDBY: _pipe_state(app.standby_template(Component.EVENT_FABRIC)),
    }
    assert states == {PRIMARY: "RUNNING", STANDBY: "STOPPED"}


def test_after_a_failover_active_region_makes_the_standby_publish() -> None:
    """`activeRegion` keeps a deploy during a failover from stopping the pipe the runbook started."""
    config = PROD.model_copy(update={"active_region": STANDBY})
    app = App(context={**cdk_json_context(), "env": "prod", "aws:cdk:bundling-stacks": []})
    orders = build_orders_app(app, config)
    assert orders.standby is not None
    assembly = app.synth()
    states = {
        stack.region: _pipe_state(assembly.get_stack_artifact(stack.artifact_id).template)
        for stack in (orders.primary.fabric, orders.standby.fabric)
    }
    assert states == {PRIMARY: "STOPPED", STANDBY: "RUNNING"}


def test_both_buses_have_the_name_the_global_endpoint_needs() -> None:
    app = synthesize("prod")
    for template in (app.template(Component.EVENT_FABRIC), app.standby_template(Component.EVENT_FABRIC)):
        assert only_resource(template, "AWS::Events::EventBus")["Properties"]["Name"] == bus_name("prod")


def failover_template() -> dict[str, Any]:
    return synthesize("prod").templates[failover_stack_name("prod")]


def replicating_failover_template() -> dict[str, Any]:
    """prod's Failover stack with `eventReplication` on, as AWS's guide recommends and every other standby gets."""
    config = PROD.model_copy(update={"event_replication": True})
    app = App(context={**cdk_json_context(), "env": "prod", "aws:cdk:bundling-stacks": []})
    orders = build_orders_app(app, config)
    assert orders.failover is not None
    template: dict[str, Any] = app.synth().get_stack_artifact(orders.failover.artifact_id).template
    return template


def test_prods_endpoint_replicates_nothing_and_has_no_role() -> None:
    """Decision 31: the app ignores the other region's copies, so prod pays for none."""
    template = failover_template()
    endpoint = only_resource(template, "AWS::Events::Endpoint")["Properties"]
    assert endpoint["ReplicationConfig"] == {"State": "DISABLED"}
    assert "RoleArn" not in endpoint
    assert not resources_of_type(template, "AWS::IAM::Role")


def test_the_global_endpoint_routes_primary_to_standby_with_replication_on() -> None:
    template = replicating_failover_template()
    endpoint = only_resource(template, "AWS::Events::Endpoint")["Properties"]
    assert endpoint["ReplicationConfig"] == {"State": "ENABLED"}
    assert [len(endpoint["EventBuses"])] == [2]
    routing = endpoint["RoutingConfig"]["FailoverConfig"]
    assert routing["Secondary"] == {"Route": STANDBY}
    [health_check_id] = references(routing["Primary"]["HealthCheck"])
    assert resources_of_type(template, "AWS::Route53::HealthCheck")[health_check_id]
    [role_id] = references(endpoint["RoleArn"])
    assert resources_of_type(template, "AWS::IAM::Role")[role_id]
    assert {str(output) for output in FailoverOutput} <= set(template["Outputs"])


def test_the_replication_role_may_only_put_to_both_buses_and_manage_the_endpoints_rules() -> None:
    template = replicating_failover_template()
    statements = [
        s for p in resources_of_type(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]  # fmt: skip
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {
        "events:PutEvents", "events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets"
    }  # fmt: skip
    rule_resources = json.dumps([s["Resource"] for s in statements if s["Action"] != "events:PutEvents"])
    assert "GlobalEndpointManagedRule-*" in rule_resources
    assert '"*"' not in rule_resources


def test_the_health_check_watches_the_primarys_delivery_latency_alarm() -> None:
    template = failover_template()
    [alarm_id] = resources_of_type(template, "AWS::CloudWatch::Alarm")
    alarm = resources_of_type(template, "AWS::CloudWatch::Alarm")[alarm_id]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Events", "IngestionToInvocationStartLatency")
    assert alarm["TreatMissingData"] == "missing"
    check = only_resource(template, "AWS::Route53::HealthCheck")["Properties"]["HealthCheckConfig"]
    assert check["Type"] == "CLOUDWATCH_METRIC"
    assert check["AlarmIdentifier"]["Region"] == PRIMARY
    assert {alarm_id} == references(check["AlarmIdentifier"]["Name"])
    assert check["InsufficientDataHealthStatus"] == "LastKnownStatus"


@pytest.mark.parametrize("env_name", [e for e in ENVIRONMENTS if e != "prod"])
def test_environments_without_a_standby_have_one_region(env_name: str) -> None:
    app = synthesize(env_name).app
    assert (app.standby, app.failover) == (None, None)
    assert {stack.region for stack in app.all()} == {synthesize(env_name).config.region}


def test_cdk_deploys_the_replica_after_the_table_and_the_endpoint_after_both_buses() -> None:
    app = synthesize("prod").app
    assert app.standby is not None
    assert app.failover is not None

    def depends(stack: Any, on: Any) -> bool:
        return on in stack.dependencies

    assert depends(app.standby.data, app.primary.data)
    assert depends(app.failover, app.primary.fabric)
    assert depends(app.failover, app.standby.fabric)
