"""The shipment of a reserved order: its id derived from the order's, so that a retry books the same one again."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from lambdas.shared.orders import Id, LineItem
from lambdas.shared.table import timestamp


class ShipOrderRequest(msgspec.Struct, kw_only=True, rename="camel"):
    order_id: Id
    line_items: Annotated[list[LineItem], msgspec.Meta(min_length=1)]
    correlation_id: str | None = None


def shipment_id(order_id: str) -> str:
    return f"shp-{order_id}"


def booked_shipment(request: ShipOrderRequest, now: datetime | None = None) -> dict[str, str]:
    """What the workflow records on the order with its SHIPPED status (`shipmentId`, `shippedAt`)."""
    return {"shipmentId": shipment_id(request.order_id), "shippedAt": timestamp(now)}
