"""One table write as the cost model prices it, from the stream record it made (NEW_AND_OLD_IMAGES): the item's size
before and after, what it did to each GSI's keys, the size of its event as the enrichment builds it and of that
event's event-store item as the writer builds it. Used by the footprint test (moto) and the counted run (local
cloud), so both measure alike."""

from __future__ import annotations

import json
from typing import Any

from devtools.cost.item_sizes import event_bytes, item_bytes
from lambdas.enrichment.envelope import envelope
from lambdas.enrichment.publication import is_published
from lambdas.event_store.stored_event import stored_event
from lambdas.shared.table_keys import BY_CUSTOMER, OPEN_ORDERS, IndexKeys

INDEXES = (BY_CUSTOMER, OPEN_ORDERS)


def measured_write(record: dict[str, Any], *, transactional: bool, table_arn: str) -> dict[str, Any]:
    """`record`: a stream record as a stream reader receives it (JSON-safe: times as numbers)."""
    stream = record["dynamodb"]
    before, after = stream.get("OldImage"), stream.get("NewImage")
    detail = envelope(record)
    event = {"version": "0", "id": "0f3c1d2e-0000-4000-8000-000000000000",
             "detail-type": detail["metadata"]["detailType"], "source": "orders.table", "account": "123456789012",
             "time": detail["metadata"]["occurredTime"], "region": record.get("awsRegion", ""),
             "resources": [table_arn], "detail": detail}  # fmt: skip
    stored, _ = stored_event(json.dumps(event, separators=(",", ":")), None)
    return {
        "entity": detail["metadata"]["entity"],
        "change": record["eventName"],
        "beforeBytes": item_bytes(before),
        "afterBytes": item_bytes(after),
        "transactional": transactional,
        "published": is_published(record),  # a stock-only or personal-only change is a write but no event
        "indexKeys": {index.name: index_change(before, after, index) for index in INDEXES},
        "eventBytes": event_bytes(event),
        "storedEventBytes": item_bytes(stored),
    }


def index_change(before: dict[str, Any] | None, after: dict[str, Any] | None, index: IndexKeys) -> str:
    """What the write did to the item's keys of `index`: none, added, removed, kept or changed."""
    keys = (index.partition_key, index.sort_key)

    def of(item: dict[str, Any] | None) -> tuple[Any, ...] | None:
        return tuple(item[k] for k in keys) if item and all(k in item for k in keys) else None

    old, new = of(before), of(after)
    if old is None and new is None:
        return "none"
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return "kept" if old == new else "changed"
