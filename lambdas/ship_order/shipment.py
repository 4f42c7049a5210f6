"""The shipment of a reserved order: one per order, its id derived from the order so a retry never makes a second."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from lambdas.shared.orders import Id, LineItem
from lambdas.shared.table import Item, timestamp


class ShipOrderRequest(msgspec.Struct, kw_only=True, rename="camel"):
    order_id: Id
    line_items: Annotated[list[LineItem], msgspec.Meta(min_length=1)]
    correlation_id: str | None = None


def shipment_id(order_id: str) -> str:
    return f"shp-{order_id}"


def shipment_item(request: ShipOrderRequest, now: datetime | None = None) -> Item:
    """The shipment's attributes (its keys are the repository's business)."""
    item: Item = {
        "shipmentId": {"S": shipment_id(request.order_id)},
        "orderId": {"S": request.order_id},
        "status": {"S": "CREATED"},
        "createdAt": {"S": timestamp(now)},
        "lineItems": {
            "L": [{"M": {"sku": {"S": line.sku}, "quantity": {"N": str(line.quantity)}}} for line in request.line_items]
        },
    }
    if request.correlation_id:
        item["correlationId"] = {"S": request.correlation_id}
    return item
