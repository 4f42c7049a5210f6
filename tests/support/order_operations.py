"""The order workflow in moto with what operators and the sweeper read: its table's stream carried into an event
store as the pipe, the bus and the store handler would, and orders stopped part-way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from lambdas.enrichment.envelope import envelope
from tests.support.event_store import StoreFeeder, create_store_table
from tests.support.events import bus_event
from tests.support.seed import customer_item, order_item, product_item
from tests.support.synth import synthesize
from tests.support.workflow_harness import TABLE_NAME, WorkflowHarness, workflow_harness


@contextmanager
def operated_workflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[WorkflowHarness, StoreFeeder]]:
    synthesized = synthesize("dev")
    with workflow_harness(
        monkeypatch, synthesized.template("Data"), synthesized.template("Workflows"), stream=True
    ) as harness:
        harness.put(customer_item("c-1"))
        for sku, stock in {"p-1": 10, "p-2": 5}.items():
            harness.put(product_item(sku, stock))
        yield harness, create_store_table(harness.dynamodb, monkeypatch)


def published(harness: WorkflowHarness) -> list[dict[str, Any]]:
    """Every stream record so far as the pipe puts it on the bus (enriched), oldest first."""
    events = []
    for streamed in harness.stream_records():
        record = json.loads(json.dumps(streamed, default=str))
        record["dynamodb"]["ApproximateCreationDateTime"] = 1796580000
        record["awsRegion"] = "eu-west-1"
        events.append(bus_event(envelope(record)))
    return events


def publish(harness: WorkflowHarness, store: StoreFeeder) -> None:
    """Every stream record so far, enriched and stored (the store keeps each event once, so this may run again)."""
    for event in published(harness):
        store.deliver(event)


def order_left_at(harness: WorkflowHarness, order_id: str, stop_after: str) -> None:
    """An order whose execution died right after `stop_after`."""
    harness.put(order_item(order_id, "c-1", [("p-1", 2, 100), ("p-2", 1, 100)]))
    stopped = harness.run(harness.order_created_event_detail(order_id), stop_after=stop_after)
    assert stopped.error == "StoppedForTest"


def age_open_order(harness: WorkflowHarness, order_id: str, since: str) -> None:
    """As if intake had written the order at `since` (the OpenOrders sort key is `<since>#<orderId>`)."""
    harness.dynamodb.update_item(
        TableName=TABLE_NAME, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": f"ORDER#{order_id}"}},
        UpdateExpression="SET openSince = :since", ExpressionAttributeValues={":since": {"S": f"{since}#{order_id}"}},
    )  # fmt: skip


def status(harness: WorkflowHarness, order_id: str) -> str:
    item: dict[str, Any] | None = harness.get(f"ORDER#{order_id}")
    assert item is not None
    return str(item["status"]["S"])


def finish_started(harness: WorkflowHarness) -> list[str]:
    """Waits for every execution of the workflow that is still running; their final statuses."""
    arns = [e["executionArn"] for e in harness.stepfunctions.list_executions(
        stateMachineArn=harness.state_machine_arn)["executions"]]  # fmt: skip
    return [harness.wait(arn).status for arn in arns]
