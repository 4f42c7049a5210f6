"""The synthesized order workflow, executed by moto's Step Functions interpreter against a moto table.

Each case asserts the table afterwards: order status and reason, stock levels, the shipment item.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend

from lambdas.shared.errors import RetryableError
from tests.support.seed import customer_item, order_item, product_item
from tests.support.synth import synthesize
from tests.support.workflow_harness import HANDLERS, WorkflowHarness, workflow_harness

HAPPY_PATH_STATES = [
    "ProcessOrder", "ResumeFromStatus", "IsOrderValid", "CheckInventory", "ShipOrder", "MarkShipped", "OrderShipped",
]  # fmt: skip
ALREADY_HANDLED = ["ProcessOrder", "ResumeFromStatus", "CountAlreadyHandled", "AlreadyHandled"]


@pytest.fixture
def workflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkflowHarness]:
    synthesized = synthesize("dev")
    with workflow_harness(monkeypatch, synthesized.template("Data"), synthesized.template("Workflows")) as harness:
        harness.put(customer_item("c-1"))
        for sku, stock in {"p-1": 10, "p-2": 5, "p-3": 1}.items():
            harness.put(product_item(sku, stock))
        yield harness


def status_of(workflow: WorkflowHarness, order_id: str) -> tuple[str, str | None]:
    order = workflow.get(f"ORDER#{order_id}")
    assert order is not None
    return order["status"]["S"], order.get("statusReason", {}).get("S")


def stocks(workflow: WorkflowHarness) -> dict[str, int]:
    return {sku: workflow.stock(sku) for sku in ("p-1", "p-2", "p-3")}


def test_happy_path_with_several_line_items(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-1", "c-1", [("p-1", 2, 1500), ("p-2", 3, 999), ("p-1", 1, 1500)]))

    run = workflow.run(workflow.order_created_event_detail("o-1"))

    assert run.status == "SUCCEEDED", run.cause
    assert run.states_entered == HAPPY_PATH_STATES
    order = workflow.get("ORDER#o-1")
    assert order is not None
    assert order["status"] == {"S": "SHIPPED"}
    assert order["shipmentId"] == {"S": "shp-o-1"}
    assert order["totalMinor"] == {"N": str(3 * 1500 + 3 * 999)}
    assert stocks(workflow) == {"p-1": 7, "p-2": 2, "p-3": 1}
    shipment = workflow.get("SHIPMENT#o-1")
    assert shipment is not None
    assert shipment["status"] == {"S": "CREATED"}
    assert shipment["gsi1pk"] == {"S": "ORDER#o-1"}
    assert [line["M"]["sku"]["S"] for line in shipment["lineItems"]["L"]] == ["p-1", "p-2", "p-1"]
    print(f"happy path: {len(run.states_entered)} states entered: {run.states_entered}")


def test_out_of_stock_on_one_item_reserves_nothing(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-2", "c-1", [("p-1", 2, 100), ("p-3", 2, 100)]))  # only 1 of p-3 left

    run = workflow.run(workflow.order_created_event_detail("o-2"))

    assert run.status == "SUCCEEDED"
    assert run.states_entered[-5:] == [
        "WhyNotReserved", "ReadOrderStatus", "IsStillUnreserved", "MarkBackordered", "OrderBackordered",
    ]  # fmt: skip
    assert status_of(workflow, "o-2") == ("BACKORDERED", "Not enough stock for every line item; nothing was reserved")
    assert stocks(workflow) == {"p-1": 10, "p-2": 5, "p-3": 1}
    assert workflow.get("SHIPMENT#o-2") is None


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        (order_item("o-3", "c-unknown", [("p-1", 1, 100)]), "unknown customer 'c-unknown'"),
        (order_item("o-3", "c-1", [("p-404", 1, 100)]), "unknown products: p-404"),
        (
            order_item("o-3", "c-1", [("p-1", 0, 100)]),
            "lineItems.0.quantity: Expected `int` >= 1",
        ),
    ],
)
def test_invalid_order_ends_invalid_with_its_reason(
    workflow: WorkflowHarness, order: dict[str, Any], reason: str
) -> None:
    workflow.put(order)

    run = workflow.run(workflow.order_created_event_detail("o-3"))

    assert run.status == "SUCCEEDED"
    assert run.states_entered[-2:] == ["MarkInvalid", "OrderInvalid"]
    assert status_of(workflow, "o-3") == ("INVALID", reason)
    assert stocks(workflow) == {"p-1": 10, "p-2": 5, "p-3": 1}
    assert workflow.calls_to("ship-order") == []


def test_failure_in_ship_order_after_reservation_releases_the_stock(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-4", "c-1", [("p-1", 4, 100), ("p-2", 5, 100)]))

    def carrier_down(function_name: str, _event: dict[str, Any]) -> None:
        if function_name == "ship-order":
            raise RuntimeError("carrier API rejected the shipment")

    workflow.inject = carrier_down
    run = workflow.run(workflow.order_created_event_detail("o-4"))

    assert run.status == "FAILED"
    assert run.error == "ShippingFailed"
    assert "carrier API rejected the shipment" in str(run.cause)
    assert run.states_entered[-3:] == ["ShipOrder", "ReleaseReservation", "FailedAndReleased"]
    assert len(workflow.calls_to("ship-order")) == 1  # a business failure is not retried
    status, reason = status_of(workflow, "o-4")
    assert status == "FAILED"
    assert reason is not None
    assert "reservation was released" in reason
    assert stocks(workflow) == {"p-1": 10, "p-2": 5, "p-3": 1}
    assert workflow.get("SHIPMENT#o-4") is None


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
    scanned = workflow.dynamodb.scan(TableName="orders-test-table", FilterExpression="begins_with(pk, :s)",
                                     ExpressionAttributeValues={":s": {"S": "SHIPMENT#"}})  # fmt: skip
    assert scanned["Count"] == 1


def test_a_transient_error_succeeds_on_retry_with_backoff_and_jitter(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-6", "c-1", [("p-2", 1, 100)]))
    failures = iter([RetryableError("ProvisionedThroughputExceededException"), None])

    def throttled_once(function_name: str, _event: dict[str, Any]) -> None:
        if function_name == "ship-order" and (error := next(failures)):
            raise error

    workflow.inject = throttled_once
    run = workflow.run(workflow.order_created_event_detail("o-6"))

    assert run.status == "SUCCEEDED", run.cause
    assert len(workflow.calls_to("ship-order")) == 2
    assert len(workflow.retry_sleeps) == 1
    assert 0 <= workflow.retry_sleeps[0] <= 1  # full jitter over the first 1 s interval
    assert status_of(workflow, "o-6")[0] == "SHIPPED"
    assert workflow.stock("p-2") == 4


def test_a_crash_before_reservation_fails_the_order_and_touches_no_stock(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-7", "c-1", [("p-1", 1, 100)]))

    def crash(function_name: str, _event: dict[str, Any]) -> None:
        if function_name == "process-order":
            raise KeyError("bug")

    workflow.inject = crash
    run = workflow.run(workflow.order_created_event_detail("o-7"))

    assert run.status == "FAILED"
    assert run.error == "OrderFailed"
    assert len(workflow.calls_to("process-order")) == 1
    assert status_of(workflow, "o-7")[0] == "FAILED"
    assert workflow.stock("p-1") == 10


def test_a_conflicting_reservation_is_retried_and_succeeds(
    workflow: WorkflowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TransactionConflict (another order reserving the same product) is not 'out of stock': try again."""
    workflow.put(order_item("o-8", "c-1", [("p-1", 1, 100), ("p-2", 1, 100)]))
    original = DynamoDBBackend.transact_write_items
    conflicts = iter([True, True, False])

    def conflicting(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        if next(conflicts):
            raise TransactionCanceledException([(None, None, None), ("TransactionConflict", "conflict", None)])
        original(backend, transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", conflicting)
    run = workflow.run(workflow.order_created_event_detail("o-8"))

    assert run.status == "SUCCEEDED", run.cause
    assert run.states_entered.count("CheckInventory") == 3
    assert run.states_entered.count("WaitBeforeReservationRetry") == 2
    assert all(1 <= wait <= 5 for wait in workflow.waits)
    assert status_of(workflow, "o-8")[0] == "SHIPPED"
    assert (workflow.stock("p-1"), workflow.stock("p-2")) == (9, 4)


def test_a_reservation_that_keeps_conflicting_fails_the_order_with_nothing_reserved(
    workflow: WorkflowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow.put(order_item("o-9", "c-1", [("p-1", 1, 100)]))

    def always_conflicting(_backend: DynamoDBBackend, _items: list[dict[str, Any]]) -> None:
        raise TransactionCanceledException([(None, None, None), ("TransactionConflict", "conflict", None)])

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", always_conflicting)
    run = workflow.run(workflow.order_created_event_detail("o-9"))

    assert run.status == "FAILED"
    assert run.states_entered.count("CheckInventory") == 1 + 3
    assert run.states_entered[-3:] == ["ReservationKeptFailing", "MarkFailed", "FailedBeforeReservation"]
    status, reason = status_of(workflow, "o-9")
    assert status == "FAILED"
    assert "TransactionConflict" in str(reason)
    assert workflow.stock("p-1") == 10


def effects_of(workflow: WorkflowHarness, order_id: str) -> dict[str, Any]:
    """What an order's workflow did to the table: its status, the stock, its shipments, who wrote the status."""
    shipments = workflow.dynamodb.scan(TableName="orders-test-table", FilterExpression="begins_with(pk, :s)",
                                       ExpressionAttributeValues={":s": {"S": "SHIPMENT#"}})["Count"]  # fmt: skip
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
    restart = {"metadata": {"entityId": "o-21", "correlationId": "corr-o-21"}}  # what the sweeper sends

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

    run = workflow.run({"metadata": {"entityId": "o-23", "correlationId": "corr-o-23"}})

    assert run.status == "SUCCEEDED", run.cause
    assert effects_of(workflow, "o-23")["status"] == "SHIPPED"


def test_a_deleted_order_is_already_handled(workflow: WorkflowHarness) -> None:
    run = workflow.run({"metadata": {"entityId": "o-gone", "correlationId": "corr"}})

    assert run.status == "SUCCEEDED"
    assert run.states_entered == ALREADY_HANDLED


def test_every_status_the_workflow_writes_names_its_execution(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-24", "c-1", [("p-1", 1, 100)]))

    workflow.run(workflow.order_created_event_detail("o-24"))

    order = workflow.get("ORDER#o-24")
    assert order is not None
    assert order["workflowExecution"]["S"].endswith(":run-1")
