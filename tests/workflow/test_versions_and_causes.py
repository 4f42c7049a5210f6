"""Every write of an item moves its `version` by one in the same write, and names what caused it (decision 34):
read from the table's stream after the synthesized workflow ran in moto, through the real enrichment."""

from __future__ import annotations

from typing import Any

from lambdas.enrichment.envelope import envelope
from lambdas.shared.workflow_start import restart_input
from rendering.pipe_records import as_pipes_record
from tests.support.seed import order_item
from tests.support.workflow_harness import WorkflowHarness


def published(workflow: WorkflowHarness, since: int) -> list[dict[str, Any]]:
    records = [as_pipes_record(r, "arn:stream") for r in workflow.stream_records()[since:]]  # as the pipe hands them on
    return [envelope(record)["metadata"] for record in records]


def test_a_shipped_order_counts_one_version_per_change_and_names_the_event_that_started_its_run(
    workflow: WorkflowHarness,
) -> None:
    seeded = len(workflow.stream_records())
    workflow.put(order_item("o-1", "c-1", [("p-1", 2, 1500), ("p-2", 1, 999)]))
    started_by = workflow.order_created_event_detail("o-1")
    run = workflow.run(started_by)
    assert run.status == "SUCCEEDED", run.cause

    changes = published(workflow, seeded)
    orders = [m for m in changes if m["entity"] == "Order"]
    assert [m["version"] for m in orders] == [1, 2, 3]  # created, RESERVED, SHIPPED
    assert [m.get("causationId") for m in orders[1:]] == [started_by["metadata"]["eventId"]] * 2
    assert {m["correlationId"] for m in orders} == {"corr-o-1"}
    products = [m for m in changes if m["entity"] == "Product"]
    assert sorted((m["entityId"], m["version"]) for m in products) == [("p-1", 2), ("p-2", 2)]  # one reservation


def test_a_restarted_run_names_its_restarter_as_the_cause(workflow: WorkflowHarness) -> None:
    workflow.put(order_item("o-2", "c-1", [("p-1", 1, 100)]))
    seeded = len(workflow.stream_records())
    run = workflow.run(restart_input("o-2", "corr-o-2", "order-sweeper"))
    assert run.status == "SUCCEEDED", run.cause
    orders = [m for m in published(workflow, seeded) if m["entity"] == "Order"]
    assert [(m["version"], m["causationId"]) for m in orders] == [(2, "restart:order-sweeper"),
                                                                  (3, "restart:order-sweeper")]  # fmt: skip
