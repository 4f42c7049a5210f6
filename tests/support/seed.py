"""Items of the single table for tests, built by the app's own builders: the order as intake writes it
(`lambdas.intake.repository.order_item`), customers and products as `lambdas.shared.catalogue` defines them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lambdas.intake.repository import order_item as intake_order_item
from lambdas.intake.submission import OrderSubmission
from lambdas.shared import catalogue
from lambdas.shared.orders import LineItem

LineSpec = tuple[str, int, int]  # sku, quantity, unit price (minor units)
SEEDED_AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def customer_item(customer_id: str, name: str = "Ada Lovelace", tier: str | None = None) -> dict[str, Any]:
    return catalogue.customer_item(customer_id, name, f"{customer_id}@example.com", tier)


def product_item(sku: str, stock: int, price_minor: int = 1000) -> dict[str, Any]:
    return catalogue.product_item(sku, stock, price_minor)


def order_item(order_id: str, customer_id: str, lines: list[LineSpec], *, status: str = "PENDING") -> dict[str, Any]:
    """The item intake writes for this order. Lines are not validated, so a test can also seed an order that a
    producer wrote straight to the table with content intake would have rejected (e.g. a quantity of 0)."""
    submission = OrderSubmission(  # a struct's constructor does not validate: msgspec checks only when converting
        order_id=order_id,
        customer_id=customer_id,
        currency="EUR",
        correlation_id=None,
        line_items=tuple(
            LineItem(sku=sku, quantity=quantity, unit_price_minor=price) for sku, quantity, price in lines
        ),
    )
    item = intake_order_item(submission, f"corr-{order_id}", SEEDED_AT)
    return item | {"status": {"S": status}}
