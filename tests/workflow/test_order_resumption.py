"""The order workflow run more than once for an order, as EventBridge's redelivery, the order sweeper and
`ops.orders retry` run it: side by side, again after an execution stopped after any state, after another execution
moved the order on. Every effect happens once, and every status written names the execution that wrote it.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from lambdas.shared.workflow_start import restart_input
from tests.support.seed import order_item
from tests.support.workflow_harness import HANDLERS, WorkflowHarness
from tests.support.workflow_paths import ALREADY_HANDLED, HAPPY_PATH_STATES, status_of, stocks


def test_the_same_order_created_delivered_twice_reserves_once_and_ships_once(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-5", "c-1", [("p-1", 3, 100)]))
    detail = workflow.order_created_event_detail("o-5")

    first = workflow.run(detail)
    second = workflow.run(detail)

    assert first.status == second.status == "SUCCEEDED"
    assert second.states_entered == ALREADY_HANDLED
    # The duplicate is counted where on-call looks (the dashboard's workflow widget reads this metric).
    cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
    [metric] = cloudwatch.list_metrics(Namespace="Orders", MetricName="AlreadyHandledExecutions")["Metrics"]
    assert metric["Dimensions"] == [{"Name": "service", "Value": "order-workflow"}]
    assert status_of(workflow, "o-5")[0] == "SHIPPED"
    assert workflow.stock("p-1") == 7
    assert len(workflow.calls_to("ship-order")) == 1
    assert times_shipped(workflow, "o-5") == 1


def times_shipped(workflow: WorkflowHarness, order_id: str) -> int:
    """How many writes moved the order to SHIPPED (each records its shipment on it), from the table's stream."""
    key = f"ORDER#{order_id}"
    return sum(
        1
        for record in workflow.stream_records()
        if record["dynamodb"]["Keys"]["pk"]["S"] == key
        and (record["dynamodb"].get("NewImage") or {}).get("status", {}).get("S") == "SHIPPED"
        and (record["dynamodb"].get("OldImage") or {}).get("status", {}).get("S") != "SHIPPED"
    )


def effects_of(workflow: WorkflowHarness, order_id: str) -> dict[str, Any]:
    """What an order's workflow did to the table: its status, the stock, its shipments, who wrote the status."""
    shipments = times_shipped(workflow, order_id)
    order = workflow.get(f"ORDER#{order_id}")
    assert order is not None
    return {"status": order["status"]["S"], "stock": stocks(workflow), "shipments": shipments,
            "open": "openShard" in order}  # fmt: skip


SHIPPED_ONCE = {"status": "SHIPPED", "stock": {"p-1": 8, "p-2": 4, "p-3": 1}, "shipments": 1, "open": False}


def test_an_order_started_twice_at_once_reserves_once_and_ships_once(workflow: WorkflowHarness) -> None:
    """EventBridge delivers at least once and EXPRESS runs at least once: two executions of one order side by side."""
    workflow.put(order_item("o-20", "c-1", [("p-1", 2, 100), ("p-2", 1, 100)]))
    detail = workflow.order_created_event_detail("o-20")

    runs = [workflow.wait(arn) for arn in [workflow.start(detail), workflow.start(detail)]]

    assert sorted(run.status for run in runs) == ["SUCCEEDED", "SUCCEEDED"]
    assert effects_of(workflow, "o-20") == SHIPPED_ONCE
    assert sum(run.states_entered[-1] == "OrderShipped" for run in runs) == 1


RESUMED_AT_SHIPPING = ["ProcessOrder", "ResumeFromStatus", "ShipOrder", "MarkShipped", "OrderShipped"]


@pytest.mark.parametrize(
    ("stopped_after", "next_run"),
    [
        ("ProcessOrder", HAPPY_PATH_STATES),  # nothing written yet: the next run does it all
        ("CheckInventory", RESUMED_AT_SHIPPING),  # reserved: the next run ships
        ("ShipOrder", RESUMED_AT_SHIPPING),  # shipment created: the next run finds it (created once) and marks
        ("MarkShipped", ALREADY_HANDLED),  # settled: the next run counts itself and ends
    ],
)
def test_an_execution_that_stopped_after_a_state_is_finished_by_the_next_one(
    workflow: WorkflowHarness, stopped_after: str, next_run: list[str]
) -> None:
    """The sweeper (or `ops.orders retry`) starts the workflow again for an order an execution left part-way: the
    next execution goes on from the order's status, and every effect happens once."""
    workflow.put(order_item("o-21", "c-1", [("p-1", 2, 100), ("p-2", 1, 100)]))
    restart = restart_input("o-21", "corr-o-21", "order-sweeper")  # what the sweeper sends

    stopped = workflow.run(workflow.order_created_event_detail("o-21"), stop_after=stopped_after)
    again = workflow.run(restart)

    assert stopped.error == "StoppedForTest"
    assert again.status == "SUCCEEDED", again.cause
    assert again.states_entered == next_run
    assert effects_of(workflow, "o-21") == SHIPPED_ONCE


def test_a_reservation_another_execution_made_first_ends_already_handled(
    workflow: WorkflowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between this execution's ProcessOrder and its reservation, another execution reserved the order: the failed
    condition is the order's, not the stock's, so nothing is backordered and no stock moves twice."""
    workflow.put(order_item("o-22", "c-1", [("p-1", 1, 100)]))
    process = HANDLERS["process-order"]

    def then_another_execution_reserves(event: dict[str, Any], context: Any) -> Any:
        planned = process(event, context)
        workflow.dynamodb.update_item(TableName="orders-test-table", Key={"pk": {"S": "ORDER#o-22"},
                                      "sk": {"S": "ORDER#o-22"}}, UpdateExpression="SET #s = :r",
                                      ExpressionAttributeNames={"#s": "status"},
                                      ExpressionAttributeValues={":r": {"S": "RESERVED"}})  # fmt: skip
        return planned

    monkeypatch.setitem(HANDLERS, "process-order", then_another_execution_reserves)
    run = workflow.run(workflow.order_created_event_detail("o-22"))

    assert run.status == "SUCCEEDED", run.cause
    assert run.states_entered[-4:] == ["ReadOrderStatus", "IsStillUnreserved", "CountAlreadyHandled", "AlreadyHandled"]
    assert workflow.stock("p-1") == 10


def test_an_order_left_processing_by_the_earlier_workflow_is_taken_up(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-23", "c-1", [("p-1", 2, 100), ("p-2", 1, 100)], status="PROCESSING"))

    run = workflow.run(restart_input("o-23", "corr-o-23", "order-sweeper"))

    assert run.status == "SUCCEEDED", run.cause
    assert effects_of(workflow, "o-23")["status"] == "SHIPPED"


def test_a_deleted_order_is_already_handled(workflow: WorkflowHarness) -> None:
    run = workflow.run(restart_input("o-gone", "corr", "order-sweeper"))

    assert run.status == "SUCCEEDED"
    assert run.states_entered == ALREADY_HANDLED


def test_every_status_the_workflow_writes_names_its_execution(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-24", "c-1", [("p-1", 1, 100)]))

    workflow.run(workflow.order_created_event_detail("o-24"))

    order = workflow.get("ORDER#o-24")
    assert order is not None
    assert order["workflowExecution"]["S"] == "run-1"
