"""Everything the app holds about one customer (GDPR article 15), as one JSON document: their item, their orders,
their entities' events in the event store (which carry no personal field) and their orders' cache entries."""

from __future__ import annotations

from typing import Any

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import CUSTOMER, ORDER
from ops.event_store.queries import EventStore
from ops.momento_cache import MomentoCache
from ops.privacy.holdings import Holdings


def export(found: Holdings, store: EventStore, cache: MomentoCache | None) -> dict[str, Any]:
    order_ids = found.order_ids()
    events = {f"{CUSTOMER.name}#{found.customer_id}": _events(store, CUSTOMER.name, found.customer_id)}
    events |= {f"{ORDER.name}#{order_id}": _events(store, ORDER.name, order_id) for order_id in order_ids}
    document: dict[str, Any] = {
        "customerId": found.customer_id,
        "customer": item_to_json(found.customer),
        "orders": [item_to_json(order) for order in found.orders],
        "events": events,
    }
    if cache is not None:
        document["cache"] = {order_id: cache.get(order_id) for order_id in order_ids}
    return document


def _events(store: EventStore, entity: str, entity_id: str) -> list[dict[str, Any]]:
    return [
        {"detailType": event.detail_type, "occurredAt": event.occurred_at, "eventId": event.event_id,
         "data": event.detail.get("data")}
        for event in store.aggregate(entity, entity_id)
    ]  # fmt: skip
