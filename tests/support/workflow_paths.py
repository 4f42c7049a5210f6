"""What the workflow tests share: the path an order takes when all goes well, the end of an execution that found
its order moved on, and reading an order's status and the stock back."""

from __future__ import annotations

from tests.support.workflow_harness import WorkflowHarness

HAPPY_PATH_STATES = [
    "ProcessOrder", "ResumeFromStatus", "IsOrderValid", "CheckInventory", "ShipOrder", "MarkShipped", "OrderShipped",
]  # fmt: skip
ALREADY_HANDLED = ["ProcessOrder", "ResumeFromStatus", "CountAlreadyHandled", "AlreadyHandled"]
SKUS = {"p-1": 10, "p-2": 5, "p-3": 1}  # the catalogue every workflow test starts from, with its stock


def status_of(workflow: WorkflowHarness, order_id: str) -> tuple[str, str | None]:
    order = workflow.get(f"ORDER#{order_id}")
    assert order is not None
    return order["status"]["S"], order.get("statusReason", {}).get("S")


def stocks(workflow: WorkflowHarness) -> dict[str, int]:
    return {sku: workflow.stock(sku) for sku in SKUS}
