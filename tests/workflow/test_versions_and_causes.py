"""Every write of an item moves its `version` by one in the same write, and names what caused it (decision 34):
read from the table's stream after the synthesized workflow ran in moto, through the real enrichment."""

from __future__ import annotations

from typing import Any

from lambdas.enrichment.batch import enrich
from lambdas.enrichment.envelope import envelope
from lambdas.shared.workflow_start import restart_input
from ops.event_store.queries import StoredEvent
from ops.event_store.trace import trace_lines
from rendering.pipe_records import as_pipes_record
from tests.support.events import bus_event
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


def test_the_trace_of_a_shipped_order_shows_each_step_its_cause_and_the_stock_it_took(
    workflow: WorkflowHarness,
) -> None:
    seeded = len(workflow.stream_records())
    workflow.put(order_item("o-3", "c-1", [("p-1", 2, 1500), ("p-2", 1, 999)]))
    assert workflow.run(workflow.order_created_event_detail("o-3")).status == "SUCCEEDED"
    records = [as_pipes_record(r, "arn:stream") for r in workflow.stream_records()[seeded:]]
    stored = [stored_event(bus_event(detail)) for detail in enrich(records)]  # as the store keeps what was published
    lines = trace_lines("corr-o-3", [e for e in stored if e.metadata.get("correlationId") == "corr-o-3"])
    assert lines[0] == "request corr-o-3: 3 events"
    assert lines[1].split()[1:4] == ["OrderCreated", "Order", "o-3"]
    assert lines[1].endswith("PENDING  (caused by the request)")
    assert "PENDING -> RESERVED; stock p-1 -2, p-2 -1" in lines[2]
    assert "Order o-3 v3" in lines[3]
    assert "RESERVED -> SHIPPED" in lines[3]


def stored_event(event: dict[str, Any]) -> StoredEvent:
    metadata = event["detail"]["metadata"]
    return StoredEvent(
        aggregate=f"Order#{metadata['entityId']}", event_key="-", event_id=metadata["eventId"],
        occurred_at=metadata["occurredAt"], sequence_number=int(metadata["sequenceNumber"]),
        detail_type=event["detail-type"], source=event["source"], replay_name=None, raw=event,
    )  # fmt: skip
