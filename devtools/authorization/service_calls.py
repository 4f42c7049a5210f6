"""The calls AWS services make for the app, read off the templates: alarms -> topics, rules -> targets and DLQs,
the bus -> its DLQ, pipes -> source, enrichment, target, DLQ and logs, state machines -> their tasks, the global
endpoint's replication. A target, task or action of a kind not handled here raises `UnknownResource`.

What each service needs, and which context keys it sends, per its documentation:
- CloudWatch -> SNS, `aws:SourceArn` the alarm, `aws:SourceAccount`:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cross-service-confused-deputy-prevention.html
- EventBridge -> a target's or DLQ's resource policy, `aws:SourceArn` the rule (the bus for the bus's DLQ):
  https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
- A service assuming a role may send `aws:SourceArn`/`aws:SourceAccount` (no page promises it for EventBridge
  targets, Pipes or the global endpoint): tried with and without (`Call.possible`).
- Pipes, per source, enrichment and target: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
- Step Functions' optimized integrations and logging: https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html
- The global endpoint's replication role: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-ge-replication.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from devtools.authorization.calls import Call, role, service
from devtools.authorization.deployment import Deployment, Located, UnknownResource
from lambdas.process_order.rules import reservation_plan
from lambdas.shared.orders import LineItem, OrderLines

EVENTS = "events.amazonaws.com"
LOG_STREAM = "log-stream:evaluated"


def _source(arn: str, account: str) -> dict[str, str]:
    return {"aws:SourceArn": arn, "aws:SourceAccount": account}


def log_stream(log_group_arn: str) -> str:
    """A stream of the group (`...:log-group:NAME` or `...:log-group:NAME:*`), which PutLogEvents is called on."""
    return f"{log_group_arn.removesuffix(':*')}:{LOG_STREAM}"


def write_logs(kind: str, caller: str, principal_arn: str, log_group_arn: str) -> Iterator[Call]:
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        yield Call(kind, caller, log_group_arn, role(principal_arn), action, log_stream(log_group_arn))


def assume(kind: str, caller: str, service_name: str, role_arn: str, source: dict[str, str]) -> Call:
    return Call(kind, caller, role_arn, service(service_name), "sts:AssumeRole", role_arn, possible=source)


def alarm_calls(deployment: Deployment) -> Iterator[Call]:
    for alarm in deployment.resources("AWS::CloudWatch::Alarm"):
        alarm_arn = deployment.get_att(alarm.stack, alarm.logical_id, "Arn")
        props = deployment.resolve(alarm.stack, alarm.properties)
        for action in (*props.get("AlarmActions", []), *props.get("OKActions", []),
                       *props.get("InsufficientDataActions", [])):  # fmt: skip
            if not str(action).startswith("arn:aws:sns:"):
                raise UnknownResource(f"{alarm.path}: alarm action {action}")
            account = alarm.stack.account
            yield Call("alarm -> topic", alarm.path, action, service("cloudwatch.amazonaws.com"), "sns:Publish",
                       action, documented={**_source(alarm_arn, account), "AWS:SourceOwner": account})  # fmt: skip


def _target_action(arn: str) -> str:
    if ":states:" in arn and ":stateMachine:" in arn:
        return "states:StartExecution"
    if ":events:" in arn and ":api-destination/" in arn:
        return "events:InvokeApiDestination"
    if ":events:" in arn and ":event-bus/" in arn:
        return "events:PutEvents"
    if ":sqs:" in arn:
        return "sqs:SendMessage"
    if ":sns:" in arn:
        return "sns:Publish"
    if ":lambda:" in arn:
        return "lambda:InvokeFunction"
    raise UnknownResource(f"target {arn}")


def rule_calls(deployment: Deployment) -> Iterator[Call]:
    for rule in deployment.resources("AWS::Events::Rule"):
        rule_arn = deployment.get_att(rule.stack, rule.logical_id, "Arn")
        source = _source(rule_arn, rule.stack.account)
        for target in deployment.resolve(rule.stack, rule.properties.get("Targets", [])):
            arn = target["Arn"]
            if "RoleArn" in target:
                yield assume("rule -> target role", rule.path, EVENTS, target["RoleArn"], source)
                yield Call("rule -> target", rule.path, arn, role(target["RoleArn"]), _target_action(arn), arn)
            elif ":logs:" in arn:
                for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                    yield Call("rule -> target", rule.path, arn, service(EVENTS), action, log_stream(arn),
                               documented=source)  # fmt: skip
            else:
                yield Call("rule -> target", rule.path, arn, service(EVENTS), _target_action(arn), arn,
                           documented=source)  # fmt: skip
            if "DeadLetterConfig" in target:
                dlq = target["DeadLetterConfig"]["Arn"]
                yield Call("rule -> DLQ", rule.path, dlq, service(EVENTS), "sqs:SendMessage", dlq, documented=source)


def bus_calls(deployment: Deployment) -> Iterator[Call]:
    for bus in deployment.resources("AWS::Events::EventBus"):
        config = deployment.resolve(bus.stack, bus.properties.get("DeadLetterConfig"))
        if config:
            bus_arn = deployment.get_att(bus.stack, bus.logical_id, "Arn")
            yield Call("bus -> DLQ", bus.path, config["Arn"], service(EVENTS), "sqs:SendMessage", config["Arn"],
                       documented=_source(bus_arn, bus.stack.account))  # fmt: skip


_STREAM_READS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
_QUEUE_READS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


def source_reads(arn: str) -> tuple[str, ...]:
    if ":dynamodb:" in arn and "/stream/" in arn:
        return _STREAM_READS
    if ":sqs:" in arn:
        return _QUEUE_READS
    raise UnknownResource(f"event source {arn}")


def pipe_calls(deployment: Deployment) -> Iterator[Call]:
    for pipe in deployment.resources("AWS::Pipes::Pipe"):
        props = deployment.resolve(pipe.stack, pipe.properties)
        pipe_arn = deployment.get_att(pipe.stack, pipe.logical_id, "Arn")
        role_arn = props["RoleArn"]
        yield assume("pipe -> role", pipe.path, "pipes.amazonaws.com", role_arn, _source(pipe_arn, pipe.stack.account))
        for action in source_reads(props["Source"]):
            yield Call("pipe -> source", pipe.path, props["Source"], role(role_arn), action, props["Source"])
        if "Enrichment" in props:
            yield Call("pipe -> enrichment", pipe.path, props["Enrichment"], role(role_arn), "lambda:InvokeFunction",
                       props["Enrichment"])  # fmt: skip
        yield Call("pipe -> target", pipe.path, props["Target"], role(role_arn), _target_action(props["Target"]),
                   props["Target"])  # fmt: skip
        for parameters in props.get("SourceParameters", {}).values():
            dlq = parameters.get("DeadLetterConfig", {}).get("Arn") if isinstance(parameters, dict) else None
            if dlq:
                yield Call("pipe -> DLQ", pipe.path, dlq, role(role_arn), "sqs:SendMessage", dlq)
        logs = props.get("LogConfiguration", {}).get("CloudwatchLogsLogDestination")
        if logs:
            yield from write_logs("pipe -> logs", pipe.path, role_arn, logs["LogGroupArn"])


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition.get("States", {}).values():
        yield state
        for branch in state.get("Branches", []):
            yield from _states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from _states(state[key])


_TRANSACT_ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                          "ConditionCheck": "ConditionCheckItem"}  # fmt: skip


def _table_arn(machine: Located, table: str) -> str:
    return f"arn:aws:dynamodb:{machine.stack.region}:{machine.stack.account}:table/{table}"


def _dynamodb_actions(
    machine: Located, definition: dict[str, Any], api: str, parameters: dict[str, Any]
) -> list[tuple[str, str]]:
    """(action, table ARN) a DynamoDB task needs; TransactWriteItems needs each item's own action on its table.
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html"""
    if api in ("getItem", "putItem", "updateItem", "deleteItem"):
        return [(f"dynamodb:{api[0].upper()}{api[1:]}", _table_arn(machine, parameters["TableName"]))]
    if api == "transactWriteItems":
        items = parameters.get("TransactItems") or _planned_transaction(
            machine, definition, parameters["TransactItems.$"]
        )
        return [
            (f"dynamodb:{_TRANSACT_ITEM_ACTIONS[kind]}", _table_arn(machine, request["TableName"]))
            for item in items
            for kind, request in item.items()
        ]
    raise UnknownResource(f"{machine.path}: DynamoDB task {api}")


def _planned_transaction(machine: Located, definition: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """Transactions the workflow takes from ProcessOrder's output, built by the same code ProcessOrder runs
    (`reservation_plan`) for a two-line order, on the table the workflow's own DynamoDB tasks name."""
    plans = {"$.processing.reservation.reserve": "reserve", "$.processing.reservation.release": "release"}
    if path not in plans:
        raise UnknownResource(f"{machine.path}: transaction items from {path}, which no builder here makes")
    tables = {
        state["Parameters"]["TableName"] for state in _states(definition) if "TableName" in state.get("Parameters", {})
    }
    if len(tables) != 1:
        raise UnknownResource(f"{machine.path}: transaction items for {sorted(tables)}: which table is not known")
    items = (LineItem(sku="A", quantity=1, unit_price_minor=100), LineItem(sku="B", quantity=2, unit_price_minor=50))
    lines = OrderLines(customer_id="c-evaluated", currency="EUR", line_items=items)
    plan = reservation_plan(tables.pop(), "o-evaluated", lines, "2026-01-01T00:00:00Z", execution="evaluated",
                            cause="evaluated")  # fmt: skip
    return plan[plans[path]]


def _task_calls(machine: Located, definition: dict[str, Any], role_arn: str, task: dict[str, Any]) -> Iterator[Call]:
    resource = task["Resource"]
    parameters = task.get("Parameters", task.get("Arguments", {}))
    if resource.endswith(":states:::lambda:invoke") or ":lambda:" in resource:
        function = parameters["FunctionName"] if resource.endswith(":states:::lambda:invoke") else resource
        yield Call("state machine -> task", machine.path, function, role(role_arn), "lambda:InvokeFunction", function)
        return
    integration = resource.split(":states:::", 1)[-1]
    service_name, _, api = integration.removeprefix("aws-sdk:").partition(":")
    if (service_name, api) == ("cloudwatch", "putMetricData"):  # no resource type: "*"
        yield Call("state machine -> task", machine.path, "*", role(role_arn), "cloudwatch:PutMetricData", "*")
        return
    if service_name != "dynamodb":
        raise UnknownResource(f"{machine.path}: task resource {resource}")
    for action, arn in _dynamodb_actions(machine, definition, api, parameters):
        yield Call("state machine -> task", machine.path, arn, role(role_arn), action, arn)


def state_machine_calls(deployment: Deployment) -> Iterator[Call]:
    for machine in deployment.resources("AWS::StepFunctions::StateMachine"):
        props = deployment.resolve(machine.stack, machine.properties)
        machine_arn = deployment.ref(machine.stack, machine.logical_id)
        role_arn = props["RoleArn"]
        yield Call("state machine -> role", machine.path, role_arn, service("states.amazonaws.com"), "sts:AssumeRole",
                   role_arn, documented=_source(machine_arn, machine.stack.account))  # fmt: skip
        definition = json.loads(props["DefinitionString"])
        for state in _states(definition):
            if state.get("Type") == "Task":
                yield from _task_calls(machine, definition, role_arn, state)
        if props.get("LoggingConfiguration", {}).get("Destinations"):
            for action in ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                           "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                           "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"):  # fmt: skip
                yield Call("state machine -> logs", machine.path, "*", role(role_arn), action, "*")
        if props.get("TracingConfiguration", {}).get("Enabled"):
            for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                           "xray:GetSamplingTargets"):  # fmt: skip
                yield Call("state machine -> tracing", machine.path, "*", role(role_arn), action, "*")


def endpoint_calls(deployment: Deployment) -> Iterator[Call]:
    """With replication, EventBridge puts each event on the other bus and manages a rule on each bus for it."""
    for endpoint in deployment.resources("AWS::Events::Endpoint"):
        props = deployment.resolve(endpoint.stack, endpoint.properties)
        if props.get("ReplicationConfig", {}).get("State", "ENABLED") != "ENABLED":
            continue
        role_arn = props["RoleArn"]
        endpoint_arn = deployment.get_att(endpoint.stack, endpoint.logical_id, "Arn")
        yield assume("endpoint -> role", endpoint.path, EVENTS, role_arn, _source(endpoint_arn, endpoint.stack.account))
        for bus in props["EventBuses"]:
            bus_arn = bus["EventBusArn"]
            yield Call("endpoint -> bus", endpoint.path, bus_arn, role(role_arn), "events:PutEvents", bus_arn)
            region, account, bus_name = bus_arn.split(":")[3], bus_arn.split(":")[4], bus_arn.rsplit("/", 1)[1]
            managed = f"arn:aws:events:{region}:{account}:rule/{bus_name}/GlobalEndpointManagedRule-evaluated"
            for action in ("events:PutRule", "events:PutTargets", "events:DeleteRule", "events:RemoveTargets"):
                yield Call("endpoint -> managed rule", endpoint.path, managed, role(role_arn), action, managed)


def service_calls(deployment: Deployment) -> Iterator[Call]:
    for calls in (alarm_calls, rule_calls, bus_calls, pipe_calls, state_machine_calls, endpoint_calls):
        yield from calls(deployment)
