"""The order workflow keeps no personal field where logs can see it: its functions' logs and its execution data
(which the state machine logs where `includeExecutionData` is on) hold neither the customer's name nor e-mail,
whether the order carries intake's snapshot or the workflow reads the customer. An order whose customer was erased
while it was in flight still ships: nothing in the workflow needs a personal field."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from lambdas.intake.repository import customer_snapshot_attribute
from lambdas.shared.catalogue import customer_item
from lambdas.shared.customer_snapshot import CustomerSnapshot
from tests.support.logged import found_in_logs, logging_everything
from tests.support.seed import order_item
from tests.support.workflow_harness import WorkflowHarness

NAME, EMAIL = "Zelda Privacyson", "zelda.privacyson@example.org"


@pytest.fixture(autouse=True)
def everything_logged() -> Iterator[None]:
    with logging_everything():
        yield


def test_no_function_log_and_no_execution_data_holds_a_personal_field(
    workflow: WorkflowHarness, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    workflow.put(customer_item("c-9", NAME, EMAIL, "gold"))
    snapshot = CustomerSnapshot(customer_id="c-9", name=NAME, email=EMAIL, tier="gold")
    with_snapshot = order_item("o-1", "c-9", [("p-1", 1, 100)]) | {
        "customer": {"M": customer_snapshot_attribute(snapshot)}
    }
    workflow.put(with_snapshot)
    workflow.put(order_item("o-2", "c-9", [("p-1", 1, 100)]))  # no snapshot: ProcessOrder reads the customer
    runs = [workflow.run(workflow.order_created_event_detail(order_id)) for order_id in ("o-1", "o-2")]

    assert [run.status for run in runs] == ["SUCCEEDED", "SUCCEEDED"]
    assert [workflow.get(f"ORDER#{o}")["status"]["S"] for o in ("o-1", "o-2")] == ["SHIPPED", "SHIPPED"]  # type: ignore[index]
    execution_data = json.dumps([run.history for run in runs], default=str)
    assert [value for value in (NAME, EMAIL) if value in execution_data] == []
    assert found_in_logs((NAME, EMAIL), capsys, caplog) == []


def test_an_order_whose_customer_was_erased_in_flight_still_ships(workflow: WorkflowHarness) -> None:
    erased = {k: v for k, v in customer_item("c-10", NAME, EMAIL).items() if k not in ("name", "email")}
    workflow.put(erased | {"erasure": {"M": {"erasedAt": {"S": "2026-12-07T10:00:00.000Z"}}}})
    workflow.put(order_item("o-3", "c-10", [("p-1", 1, 100)]) | {"customer": {"M": {"customerId": {"S": "c-10"}}}})
    run = workflow.run(workflow.order_created_event_detail("o-3"))
    assert run.status == "SUCCEEDED", run.cause
    assert workflow.get("ORDER#o-3")["status"] == {"S": "SHIPPED"}  # type: ignore[index]
