"""Every rule whose target has side effects ignores replays (and, with a standby region, the other region's copies),
decided from the synthesized templates alone: no list of rules, and nothing read from the building block.

A target is a recorder, which may see every event, only when what it reaches can change nothing else:
- a CloudWatch Logs log group;
- an SQS queue drained by functions (event source mappings) whose roles write nothing but DynamoDB tables without a
  stream (a write to a table with a stream would publish new events), besides their telemetry and their own queue.
Everything else acts: a state machine, an API destination, a Lambda function, a topic, a queue that people or other
code read.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import references, resources_of_type

Template = dict[str, Any]
# What a queue consumer may do without acting on the world: read, consume its own queue, report on itself.
HARMLESS_ACTIONS = (
    *("logs:", "xray:", "cloudwatch:PutMetricData", "kms:Decrypt"),
    *(
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    ),
    *("dynamodb:Get", "dynamodb:BatchGet", "dynamodb:Query", "dynamodb:Scan", "dynamodb:Describe"),
)
TABLE_WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")


def every_template(env_name: str) -> list[Template]:
    return list(synthesize(env_name).templates.values())


def target_resource(template: Template, target: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The logical id and resource of this template the target's Arn refers to (None: another stack's, or an ARN)."""
    found = [(ref, template["Resources"][ref]) for ref in references(target["Arn"]) if ref in template["Resources"]]
    return found[0] if found else None


def writes_only_streamless_tables(template: Template, function_id: str) -> bool:
    function = template["Resources"][function_id]
    role_ids = references(function["Properties"]["Role"])
    statements = [
        statement
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
        if role_ids & references(policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            if action.startswith(HARMLESS_ACTIONS):
                continue
            if action not in TABLE_WRITES:
                return False
            tables = [template["Resources"].get(ref) for ref in references(statement["Resource"])]
            if not tables or any(
                table is None or table["Type"] != "AWS::DynamoDB::GlobalTable"
                or "StreamSpecification" in table["Properties"]
                for table in tables
            ):  # fmt: skip
                return False
    return True


def is_recorder(template: Template, target: dict[str, Any]) -> bool:
    found = target_resource(template, target)
    if found is None:
        return False
    target_id, resource = found
    if resource["Type"] == "AWS::Logs::LogGroup":
        return True
    if resource["Type"] != "AWS::SQS::Queue":
        return False
    consumers = [
        next(iter(references(mapping["Properties"]["FunctionName"])))
        for mapping in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if target_id in references(mapping["Properties"]["EventSourceArn"])
    ]
    return bool(consumers) and all(writes_only_streamless_tables(template, function) for function in consumers)


def rules_by_kind(env_name: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """(acting rules with their pattern, recording rules), by construct path."""
    acting, recording = [], []
    for template in every_template(env_name):
        for rule in resources_of_type(template, "AWS::Events::Rule").values():
            path = rule["Metadata"]["aws:cdk:path"]
            if "ScheduleExpression" in rule["Properties"]:
                continue  # a schedule matches no events: test_a_schedule_runs_only_where_the_stream_pipe_runs
            if all(is_recorder(template, target) for target in rule["Properties"]["Targets"]):
                recording.append(path)
            else:
                acting.append((path, rule["Properties"]["EventPattern"]))
    return acting, recording


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_rule_whose_target_has_side_effects_ignores_replays(env_name: str) -> None:
    acting, _ = rules_by_kind(env_name)
    assert acting, "no acting rule found: the classifier is broken"
    assert [path for path, pattern in acting if pattern.get("replay-name") != [{"exists": False}]] == []


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_with_a_standby_region_acting_rules_act_only_on_their_own_regions_events(env_name: str) -> None:
    config = synthesize(env_name).config
    acting, _ = rules_by_kind(env_name)
    origins = {path: pattern.get("detail", {}).get("metadata", {}).get("originRegion") for path, pattern in acting}
    if config.secondary_region is None:
        assert set(origins.values()) == {None}
    else:
        assert all(origin is not None and len(origin) == 1 for origin in origins.values()), origins


def test_the_recorders_are_the_event_store_and_the_event_log() -> None:
    """The classifier's other half: exactly the two consumers that keep history take every event."""
    _, recording = rules_by_kind("dev")
    assert sorted(path.split("/")[1] for path in recording) == ["EventLogRule", "EveryEventRule"]


def test_a_queue_whose_consumer_writes_a_table_with_a_stream_acts() -> None:
    """If the event store's writer could write the orders table (which has a stream), its rule would act."""
    template: Template = {"Resources": {
        "Buffer": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Orders": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": {"StreamSpecification": {}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Writer": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Writer"}, "EventSourceArn": {"Fn::GetAtt": ["Buffer", "Arn"]}}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "Role"}], "PolicyDocument": {
            "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem",
                           "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}}]}}},
    }}  # fmt: skip
    target = {"Arn": {"Fn::GetAtt": ["Buffer", "Arn"]}}
    assert not is_recorder(template, target)
    del template["Resources"]["Orders"]["Properties"]["StreamSpecification"]
    assert is_recorder(template, target)


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_a_schedule_runs_only_where_the_stream_pipe_runs(env_name: str) -> None:
    """A schedule acts in its own region, so it runs where the orders are published, as the stream pipe does."""
    templates = synthesize(env_name).templates
    pipe_running = {}
    for template in templates.values():
        for pipe in resources_of_type(template, "AWS::Pipes::Pipe").values():
            stack, _, path = pipe["Metadata"]["aws:cdk:path"].partition("/")
            if path.startswith("StreamPipe/"):
                region_suffix = stack.removeprefix(f"Orders-{env_name}-EventFabric")
                pipe_running[region_suffix] = pipe["Properties"].get("DesiredState", "RUNNING") == "RUNNING"
    rules = [
        rule for template in templates.values() for rule in resources_of_type(template, "AWS::Events::Rule").values()
    ]
    schedules = [(rule["Metadata"]["aws:cdk:path"].split("/")[0], rule["Properties"]["State"])
                 for rule in rules if "ScheduleExpression" in rule["Properties"]]  # fmt: skip
    assert schedules, "no schedule found"
    for stack, state in schedules:
        assert (state == "ENABLED") == pipe_running[stack.removeprefix(f"Orders-{env_name}-Workflows")], stack
