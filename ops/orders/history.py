"""An order as operators need it: the item as it is now, and its history from the event store, each status change
with the workflow execution that made it (the workflow writes `workflowExecution` with every status)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import LEGACY_SHIPMENT, ORDER, Entity
from lambdas.shared.orders import SETTLED_STATUSES
from lambdas.shared.table import item_key
from ops.event_store.queries import EventStore, StoredEvent


@dataclass(frozen=True)
class Change:
    at: str  # when it happened (the stream's time, to the second)
    change: str  # INSERT, MODIFY, REMOVE
    before: str | None  # status
    after: str | None
    execution: (
        str | None
    )  # the name of the workflow execution that wrote it (None: intake, an operator, another writer)
    reason: str | None


@dataclass(frozen=True)
class Execution:
    name: str
    changes: list[str]  # "PENDING->RESERVED", ...
    outcome: str  # the last status it wrote


@dataclass
class OrderHistory:
    order_id: str
    current: dict[str, Any] | None  # the item, as plain JSON
    shipment: dict[str, Any] | None
    changes: list[Change] = field(default_factory=list)

    @property
    def executions(self) -> list[Execution]:
        steps: dict[str, list[Change]] = {}
        for change in self.changes:
            if change.execution is not None:
                steps.setdefault(change.execution, []).append(change)
        return [
            Execution(name, [f"{c.before}->{c.after}" for c in changes], str(changes[-1].after))
            for name, changes in steps.items()
        ]

    @property
    def open(self) -> bool:
        return self.current is not None and self.current.get("status") not in SETTLED_STATUSES


def current_order(table_client: Any, table_name: str, order_id: str, entity: Entity = ORDER) -> dict[str, Any] | None:
    """The order (or its shipment) as the table holds it now, as plain JSON."""
    item = table_client.get_item(TableName=table_name, Key=item_key(entity, order_id), ConsistentRead=True)
    return item_to_json(item["Item"]) if "Item" in item else None


def order_history(table_client: Any, table_name: str, store: EventStore, order_id: str) -> OrderHistory:
    order = current_order(table_client, table_name, order_id)
    shipment = order_shipment(order)
    if shipment is None:  # an order shipped under schemaVersion 1 has a shipment item of its own
        legacy = current_order(table_client, table_name, order_id, LEGACY_SHIPMENT)
        shipment = {"shipmentId": legacy["shipmentId"], "shippedAt": legacy.get("createdAt")} if legacy else None
    history = OrderHistory(order_id, order, shipment)
    history.changes = [_change(event) for event in store.aggregate(ORDER.name, order_id)]
    return history


def _change(event: StoredEvent) -> Change:
    detail = event.detail
    after, before = detail.get("data") or {}, detail.get("previous") or {}
    return Change(
        at=datetime.fromtimestamp(event.occurred_at / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        change=str(detail.get("metadata", {}).get("change", "-")),
        before=before.get("status"),
        after=after.get("status"),
        # The workflow names itself with every status it writes; other writers (intake, `retry`) leave no name.
        execution=execution_name(after.get("workflowExecution"))
        if after.get("status") != before.get("status") else None,
        reason=after.get("statusReason") if after.get("statusReason") != before.get("statusReason") else None,
    )  # fmt: skip


def execution_name(written: str | None) -> str | None:
    """The execution's name: what the workflow writes, or the name in the ARN that orders written before carry
    (`arn:aws:states:<region>:<account>:execution:<machine>:<name>`, or `...:express:<machine>:<name>:<id>`)."""
    if written is None or not written.startswith("arn:aws:states:"):
        return written
    return written.split(":")[7]


def order_shipment(order: dict[str, Any] | None) -> dict[str, Any] | None:
    """The shipment the workflow recorded on the order with its SHIPPED status: its id and when it was booked."""
    if not order or "shipmentId" not in order:
        return None
    return {"shipmentId": order["shipmentId"], "shippedAt": order.get("shippedAt")}
