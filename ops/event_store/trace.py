"""One request's events as an operator reads them: when, what, which entity at which version, what caused it, and
for an order what it did (its status, and the stock a reservation took or a release gave back, which the order's
own events say since product stock changes are no events: decision 30)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lambdas.shared.orders import OrderStatus
from ops.event_store.queries import StoredEvent

# The status changes that move stock: a reservation takes the order's lines, a release gives them back.
STOCK_TAKEN, STOCK_RETURNED = OrderStatus.RESERVED.value, OrderStatus.FAILED.value


def trace_lines(correlation_id: str, events: list[StoredEvent]) -> list[str]:
    lines = [f"request {correlation_id}: {len(events)} event{'s' if len(events) != 1 else ''}"]
    for event in events:
        metadata = event.metadata
        version = metadata.get("version")
        entity = f"{metadata.get('entity')} {metadata.get('entityId')}" + (f" v{version}" if version else "")
        cause = metadata.get("causationId") or ("the request" if metadata.get("change") == "INSERT" else "-")
        lines.append(f"  {stream_time(event.occurred_at)}  {event.detail_type:<16} {entity:<44} {_what(event)}"
                     f"  (caused by {cause})")  # fmt: skip
    return lines


def _what(event: StoredEvent) -> str:
    data: dict[str, Any] = event.detail.get("data") or {}
    previous: dict[str, Any] = event.detail.get("previous") or {}
    status, before = data.get("status"), previous.get("status")
    if status is None:
        return "deleted" if event.detail.get("data") is None else ""
    moved = f"{before} -> {status}" if before and before != status else str(status)
    lines = data.get("lineItems") or []
    if status != before and status in (STOCK_TAKEN, STOCK_RETURNED) and lines:
        sign = "-" if status == STOCK_TAKEN else "+"
        stock = ", ".join(f"{line.get('sku')} {sign}{line.get('quantity')}" for line in lines)
        return f"{moved}; stock {stock}"
    return moved


def stream_time(milliseconds: int) -> str:
    """An event's time as the stream gives it (whole seconds), RFC 3339."""
    return datetime.fromtimestamp(milliseconds / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
