"""The synthesized order workflow, executed by moto's Step Functions interpreter against a moto table: each path an
order can take, its failures and their retries (tests/workflow/test_order_resumption.py: executions that run twice or
again after one stopped).

Each case asserts the table afterwards: order status and reason, stock levels, the shipment item.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend

from lambdas.shared.errors import RetryableError
from tests.support import workflow_harness as harness
from tests.support.seed import order_item
from tests.support.workflow_harness import TABLE_NAME, WorkflowHarness
from tests.support.workflow_paths import HAPPY_PATH_STATES, status_of, stocks


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
    assert order["shippedAt"]["S"].endswith("Z")  # the shipment is on the order: no Shipment item (decision 29)
    assert workflow.get("SHIPMENT#o-1") is None
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


def test_an_order_item_written_with_only_its_keys_ends_invalid_with_a_reason(workflow: WorkflowHarness) -> None:
    """Written by something other than intake, it ended AlreadyHandled with no reason: nobody could tell why."""
    workflow.put({"pk": {"S": "ORDER#o-9"}, "sk": {"S": "ORDER#o-9"}})

    run = workflow.run(workflow.order_created_event_detail("o-9"))

    assert run.status == "SUCCEEDED"
    assert run.states_entered[-2:] == ["MarkInvalid", "OrderInvalid"]
    assert status_of(workflow, "o-9") == ("INVALID", "the order item has no status: intake did not write it")


def test_an_order_deleted_before_it_is_marked_invalid_is_not_brought_back(
    workflow: WorkflowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MarkInvalid takes an order without a status, but only one that exists: an update would create the item."""
    key = {"pk": {"S": "ORDER#o-gone"}, "sk": {"S": "ORDER#o-gone"}}
    workflow.put(key)
    detail = workflow.order_created_event_detail("o-gone")
    process_order = harness.HANDLERS["process-order"]

    def then_deleted(event: dict[str, Any], context: Any) -> Any:
        result = process_order(event, context)
        workflow.dynamodb.delete_item(TableName=TABLE_NAME, Key=key)  # between ProcessOrder and MarkInvalid
        return result

    monkeypatch.setitem(harness.HANDLERS, "process-order", then_deleted)
    run = workflow.run(detail)

    assert run.states_entered[-3:] == ["MarkInvalid", "CountAlreadyHandled", "AlreadyHandled"]
    assert workflow.get("ORDER#o-gone") is None


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
