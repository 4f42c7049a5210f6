"""The order as producers submit it and as the table stores it: one model, validated the same way everywhere.

msgspec, not pydantic, at run time: importing it costs a handler about 2 ms after boto3 where pydantic costs about
45 ms, on every cold start (docs/decisions.md, 21).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
MAX_LINE_ITEMS = 50  # a reservation is one transaction: 1 order update + 1 update per product, at most 100
MAX_QUANTITY = 1_000
MAX_UNIT_PRICE_MINOR = 100_000_000_00  # 100 million in major units


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    RESERVED = "RESERVED"
    SHIPPED = "SHIPPED"
    BACKORDERED = "BACKORDERED"
    INVALID = "INVALID"
    FAILED = "FAILED"


# Not yet reserved. PROCESSING is what the workflow wrote before it reserved straight from PENDING (decision 27): an
# order left there by an execution of the earlier workflow is taken up like a PENDING one.
UNRESERVED = (OrderStatus.PENDING, OrderStatus.PROCESSING)
# Where the workflow leaves an order for good: nothing is left to do for it (it leaves the OpenOrders index).
SETTLED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.INVALID, OrderStatus.BACKORDERED, OrderStatus.FAILED)

Id = Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]


class LineItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    sku: Id
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
    unit_price_minor: Annotated[int, msgspec.Meta(ge=0, le=MAX_UNIT_PRICE_MINOR)]

    @property
    def amount_minor(self) -> int:
        return self.quantity * self.unit_price_minor


class OrderLines(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """What an order is made of; amounts are integer minor units (cents) so that nothing is ever rounded. Other
    attributes of an order item (status, keys, ...) are ignored; a line item allows none."""

    customer_id: Id
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
    line_items: Annotated[tuple[LineItem, ...], msgspec.Meta(min_length=1, max_length=MAX_LINE_ITEMS)]

    @property
    def total_minor(self) -> int:
        return sum(item.amount_minor for item in self.line_items)

    def quantities_by_sku(self) -> dict[str, int]:
        """One entry per product (a transaction may touch each item once), in a stable order."""
        quantities: dict[str, int] = {}
        for item in self.line_items:
            quantities[item.sku] = quantities.get(item.sku, 0) + item.quantity
        return dict(sorted(quantities.items()))
