"""The order as producers submit it and as the table stores it: one model, validated the same way everywhere."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class LineItem(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", populate_by_name=True)

    sku: str = Field(pattern=ID_PATTERN)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_minor: int = Field(alias="unitPriceMinor", ge=0, le=MAX_UNIT_PRICE_MINOR)

    @property
    def amount_minor(self) -> int:
        return self.quantity * self.unit_price_minor


class OrderLines(BaseModel):
    """What an order is made of; amounts are integer minor units (cents) so that nothing is ever rounded."""

    model_config = ConfigDict(strict=True, frozen=True, populate_by_name=True)

    customer_id: str = Field(alias="customerId", pattern=ID_PATTERN)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    line_items: tuple[LineItem, ...] = Field(alias="lineItems", min_length=1, max_length=MAX_LINE_ITEMS)

    @field_validator("line_items", mode="before")
    @classmethod
    def _list_is_fine(cls, value: object) -> object:
        # Strict mode refuses a JSON array for a tuple; the tuple only makes the model hashable and immutable.
        return tuple(value) if isinstance(value, list) else value

    @property
    def total_minor(self) -> int:
        return sum(item.amount_minor for item in self.line_items)

    def quantities_by_sku(self) -> dict[str, int]:
        """One entry per product (a transaction may touch each item once), in a stable order."""
        quantities: dict[str, int] = {}
        for item in self.line_items:
            quantities[item.sku] = quantities.get(item.sku, 0) + item.quantity
        return dict(sorted(quantities.items()))
