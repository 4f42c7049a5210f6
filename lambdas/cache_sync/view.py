"""What the cache holds for an order, and which of the order item's attributes it is made of.

Standard library only: the Cache integration stack grants the function GetItem of exactly `PROJECTED_ATTRIBUTES`
(`dynamodb:Attributes`), and devtools/authorization evaluates the function's read with them.
"""

from __future__ import annotations

import json
from typing import Any

from lambdas.shared.entities import ORDER
from lambdas.shared.versions import VERSION_ATTRIBUTE

VIEW_FIELDS = ("status", "customerId", "currency", "totalMinor", "lineItems")
# The cached fields, and the times the view's `updatedAt` comes from; never the customer snapshot (personal data).
PROJECTED_ATTRIBUTES = (*VIEW_FIELDS, "createdAt", "updatedAt", VERSION_ATTRIBUTE)
PARTITION_KEY_PREFIX = ORDER.key_prefix  # order items only


class NotAnOrderEvent(ValueError):
    """The buffer's message does not name an order: retried, then dead-lettered, where an operator sees it."""


def cached_view(order_id: str, item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The order's id (from its key: an item another writer put in the table has only its keys, which the workflow
    then marks INVALID), the fields it has, when it last changed and its version; None (no entry) for an order that
    is gone or has no status yet."""
    if item is None or item.get("status") is None:
        return None
    return {
        "orderId": order_id,
        **{name: item[name] for name in VIEW_FIELDS if item.get(name) is not None},
        "updatedAt": item.get("updatedAt") or item.get("createdAt"),
        VERSION_ATTRIBUTE: item.get(VERSION_ATTRIBUTE),
    }


def order_named_by(body: str) -> str:
    """The id of the order a bus event (the buffer's message body) is about."""
    try:
        metadata = json.loads(body)["detail"]["metadata"]
        if metadata["entity"] != ORDER.name:
            raise NotAnOrderEvent(f"an event about a {metadata['entity']}, not an order")
        return str(metadata["entityId"])
    except (ValueError, KeyError, TypeError) as error:
        raise NotAnOrderEvent(f"not an order event: {error}") from error
