"""Workflows: per-state retry and catch, workflow type and logging per environment, the rules, least privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.building_blocks.order_workflow_tasks import TRANSIENT_LAMBDA_ERRORS
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import (
    references,
    resource_at,
    resources_of_type,
    role_statements,
    state_machine_definition,
)


def workflows(env_name: str) -> dict[str, Any]:
    return synthesize(env_name).template("Workflows")


def state_machine(env_name: str) -> tuple[str, dict[str, Any]]:
    return resource_at(workflows(env_name), "OrderWorkflow/StateMachine")


def states(env_name: str = "dev") -> dict[str, Any]:
    states: dict[str, Any] = state_machine_definition(state_machine(env_name)[1])["States"]
    return states


def retried_errors(state: dict[str, Any]) -> list[str]:
    return [error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]]


def catches(state: dict[str, Any]) -> dict[str, str]:
    return {error: catch["Next"] for catch in state.get("Catch", []) for error in catch["ErrorEquals"]}


def test_flow_is_process_check_ship() -> None:
    s = states()
    assert state_machine_definition(state_machine("dev")[1])["StartAt"] == "ProcessOrder"
    assert s["ProcessOrder"]["Next"] == "ResumeFromStatus"
    assert s["ResumeFromStatus"]["Choices"] == [
        {"Variable": "$.processing.status", "StringEquals": "PENDING", "Next": "IsOrderValid"},
        {"Variable": "$.processing.status", "StringEquals": "RESERVED", "Next": "ShipOrder"},
    ]
    assert s["ResumeFromStatus"]["Default"] == "CountAlreadyHandled"
    assert s["IsOrderValid"]["Default"] == "CheckInventory"
    assert s["IsOrderValid"]["Choices"] == [
        {"Variable": "$.processing.valid", "BooleanEquals": False, "Next": "MarkInvalid"}
    ]
    assert s["CheckInventory"]["Next"] == "ShipOrder"
    assert s["ShipOrder"]["Next"] == "MarkShipped"
    assert s["MarkShipped"]["Next"] == "OrderShipped"


@pytest.mark.parametrize("name", ["ProcessOrder", "ShipOrder"])
def test_lambda_tasks_retry_transient_errors_only_with_backoff_and_jitter(name: str) -> None:
    [retrier] = states()[name]["Retry"]
    assert retrier == {
        "ErrorEquals": TRANSIENT_LAMBDA_ERRORS,
        "IntervalSeconds": 1,
        "BackoffRate": 2,
        "MaxAttempts": 4,
        "MaxDelaySeconds": 8,
        "JitterStrategy": "FULL",
    }
    assert "States.ALL" not in retrier["ErrorEquals"]
    assert "States.TaskFailed" not in retrier["ErrorEquals"]


def test_catches_route_each_failure_to_its_outcome() -> None:
    s = states()
    assert catches(s["ProcessOrder"]) == {"States.ALL": "MarkFailed"}
    assert catches(s["CheckInventory"]) == {
        "DynamoDb.TransactionCanceledException": "WhyNotReserved",
        "States.ALL": "MarkFailed",
    }
    assert catches(s["ShipOrder"]) == {"States.ALL": "ReleaseReservation"}  # compensation after a reservation
    assert catches(s["ReleaseReservation"]) == {"States.ALL": "CompensationFailed"}
    assert s["ReleaseReservation"]["Next"] == "FailedAndReleased"
    for name in ("MarkInvalid", "MarkBackordered", "MarkShipped", "MarkFailed"):
        assert catches(s[name])["DynamoDB.ConditionalCheckFailedException"] == "CountAlreadyHandled", name
        # A failed condition is never retried (its retrier comes first, with 0 attempts); every other task failure
        # is, whatever DynamoDB error name it has (the guide lists none for throttling).
        first, then = s[name]["Retry"]
        assert first == {"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "MaxAttempts": 0}, name
        assert then["ErrorEquals"] == ["States.TaskFailed"], name
        assert then["MaxAttempts"] >= 3, name
    assert s["AlreadyHandled"]["Type"] == "Succeed"
    # Counted on the way (a duplicate is seen on the dashboard), and a failed count still ends AlreadyHandled.
    assert s["CountAlreadyHandled"]["Next"] == "AlreadyHandled"
    assert catches(s["CountAlreadyHandled"]) == {"States.ALL": "AlreadyHandled"}
    assert {s[n]["Type"] for n in ("OrderInvalid", "OrderBackordered", "OrderShipped")} == {"Succeed"}
    assert {s[n]["Type"] for n in ("FailedBeforeReservation", "FailedAndReleased", "CompensationFailed")} == {"Fail"}


def test_out_of_stock_is_not_retried_but_a_conflict_is() -> None:
    s = states()
    assert "DynamoDb.TransactionCanceledException" not in retried_errors(s["CheckInventory"])
    [stock_choice, *retry_choices] = s["WhyNotReserved"]["Choices"]
    assert stock_choice == {
        "Variable": "$.reservationFailure.Cause",
        "StringMatches": "*ConditionalCheckFailed*",
        "Next": "ReadOrderStatus",  # the stock's condition or the order's: the order, read again, tells which
    }
    assert s["ReadOrderStatus"]["Parameters"]["ConsistentRead"] is True
    [unreserved] = s["IsStillUnreserved"]["Choices"]
    assert unreserved["Next"] == "MarkBackordered"
    assert s["IsStillUnreserved"]["Default"] == "CountAlreadyHandled"
    assert [choice["Next"] for choice in retry_choices] == ["FirstReservationRetry", "NextReservationRetry"]
    assert s["WhyNotReserved"]["Default"] == "ReservationKeptFailing"


def test_status_updates_are_conditional_direct_dynamodb_writes() -> None:
    unreserved = [{"S": "PENDING"}, {"S": "PROCESSING"}]  # PROCESSING: left by the earlier workflow
    expected = {
        "MarkInvalid": (unreserved, "INVALID"),
        "MarkBackordered": (unreserved, "BACKORDERED"),
        "MarkFailed": (unreserved, "FAILED"),
        "MarkShipped": ([{"S": "RESERVED"}], "SHIPPED"),
    }
    for name, (before, after) in expected.items():
        state = states()[name]
        assert state["Resource"].endswith(":states:::dynamodb:updateItem"), name
        values = state["Parameters"]["ExpressionAttributeValues"]
        allowed = [f":expected{n}" for n in range(len(before))]
        in_expected = f"#status IN ({', '.join(allowed)})"
        # MarkInvalid also settles an existing order item without a status (not intake's), never a deleted one.
        condition = f"attribute_exists(pk) AND (attribute_not_exists(#status) OR {in_expected})"
        assert state["Parameters"]["ConditionExpression"] == (condition if name == "MarkInvalid" else in_expected), name
        assert ([values[v] for v in allowed], values[":new"]) == (before, {"S": after}), name
        # every status the workflow writes settles the order and names the execution that wrote it
        assert state["Parameters"]["UpdateExpression"].endswith(" REMOVE openShard, openSince"), name
        assert values[":execution"] == {"S.$": "$$.Execution.Name"}, name
    for name in ("CheckInventory", "ReleaseReservation"):
        assert states()[name]["Resource"].endswith(":states:::aws-sdk:dynamodb:transactWriteItems")


@pytest.mark.parametrize(
    ("env_name", "level", "include_data"),
    [("dev", "ALL", True), ("staging", "ALL", False), ("prod", "ERROR", False)],
)
def test_type_logging_and_tracing_per_environment(env_name: str, level: str, include_data: bool) -> None:
    """EXPRESS everywhere (decision 27): an order's history is the event store's, and prod's logs carry the failed
    executions only; dev and staging log every step."""
    properties = state_machine(env_name)[1]["Properties"]
    assert properties["StateMachineType"] == "EXPRESS"
    assert properties["LoggingConfiguration"]["Level"] == level
    assert properties["LoggingConfiguration"]["IncludeExecutionData"] is include_data
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert state_machine_definition(state_machine(env_name)[1])["TimeoutSeconds"] == 300


def only_published_here(env_name: str) -> dict[str, Any]:
    """With a standby region, the primary's acting rules take only what the primary's pipe published."""
    config = synthesize(env_name).config
    return {"detail": {"metadata": {"originRegion": [config.region]}}} if config.secondary_region else {}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_order_created_rule_starts_the_workflow_with_the_detail_never_for_replays(env_name: str) -> None:
    template = workflows(env_name)
    _, rule = resource_at(template, "OrderCreatedRule")
    assert rule["Properties"]["EventPattern"] == {
        "source": ["orders.table"],
        "detail-type": ["OrderCreated"],
        "replay-name": [{"exists": False}],
        **only_published_here(env_name),
    }
    [target] = rule["Properties"]["Targets"]
    machine_id, _ = state_machine(env_name)
    dlq_id, _ = resource_at(template, "OrderCreatedDeadLetterQueue/Queue")
    assert target["Arn"] == {"Ref": machine_id}
    assert target["InputPath"] == "$.detail"
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 21600}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_high_value_rule_matches_the_amount_numerically(env_name: str) -> None:
    threshold = synthesize(env_name).config.workflow.high_value_order_threshold_minor
    template = workflows(env_name)
    _, rule = resource_at(template, "HighValueOrderRule")
    assert rule["Properties"]["EventPattern"]["detail"] == {
        "data": {"totalMinor": [{"numeric": [">", threshold]}]},
        **only_published_here(env_name).get("detail", {}),
    }
    assert rule["Properties"]["EventPattern"]["replay-name"] == [{"exists": False}]
    [target] = rule["Properties"]["Targets"]
    review_id, review = resource_at(template, "HighValueReviewQueue")
    assert target["Arn"] == {"Fn::GetAtt": [review_id, "Arn"]}
    assert "DeadLetterConfig" in target
    assert review["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_alarms_on_failed_executions_rule_dlq_and_review_age(env_name: str) -> None:
    template = workflows(env_name)
    alarms = [a["Properties"] for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()]
    machine_id, _ = state_machine(env_name)
    failed = next(a for a in alarms if a.get("MetricName") == "ExecutionsFailed")
    assert failed["Namespace"] == "AWS/States"
    assert failed["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": machine_id}}]
    age = next(a for a in alarms if a.get("MetricName") == "ApproximateAgeOfOldestMessage")
    assert age["Threshold"] == synthesize(env_name).config.workflow.review_queue_max_age_seconds
    dlq_id, _ = resource_at(template, "OrderCreatedDeadLetterQueue/Queue")
    assert any(dlq_id in references(a.get("Dimensions", [])) for a in alarms)
    assert all(len(a["AlarmActions"]) == 1 for a in alarms)


def test_state_machine_may_touch_only_the_table_and_its_two_functions() -> None:
    template = workflows("dev")
    functions = {
        resource_at(template, "OrderWorkflow/ProcessOrder/Function")[0],
        resource_at(template, "OrderWorkflow/ShipOrder/Function")[0],
    }
    for statement in role_statements(template, "OrderWorkflow/StateMachine/Role"):
        actions = set(statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
        if statement["Resource"] == "*":  # no resource-level permissions exist for these
            assert all(a.startswith(("logs:", "xray:")) or a == "cloudwatch:PutMetricData" for a in actions), actions
        elif actions == {"lambda:InvokeFunction"}:
            assert references(statement["Resource"]) == functions
        else:
            assert actions <= {"dynamodb:UpdateItem", "dynamodb:GetItem"}, actions  # GetItem: ReadOrderStatus
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            # the table's ARN, once as exported and once as built from its name by the DynamoDB task
            assert all("TableCD117FA1" in json.dumps(r) for r in resources), resources
            assert "index" not in json.dumps(statement)


def test_ship_order_has_no_access_to_the_table_at_all() -> None:
    """It books the shipment; MarkShipped records it on the order (decision 29)."""
    template = workflows("dev")
    statements = role_statements(template, "OrderWorkflow/ShipOrder/Role")
    assert not [s for s in statements if "dynamodb" in str(s["Action"])]
    function_id, _ = resource_at(template, "OrderWorkflow/ShipOrder/Function")
    assert "TABLE_NAME" not in template["Resources"][function_id]["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize(
    ("function", "actions"),
    [("ProcessOrder", ["dynamodb:GetItem", "dynamodb:BatchGetItem"])],
)
def test_functions_may_only_do_what_they_need_on_the_table(function: str, actions: list[str]) -> None:
    template = workflows("dev")
    [table_statement] = [
        s
        for s in role_statements(template, f"OrderWorkflow/{function}/Role")
        if str(s["Action"]).startswith(("dynamodb", "['dynamodb"))
    ]
    assert sorted(table_statement["Action"]) == sorted(actions)
    assert "PublishOutputFnGetAttTableCD117FA1Arn" in json.dumps(table_statement["Resource"])
    assert "index" not in json.dumps(table_statement)
