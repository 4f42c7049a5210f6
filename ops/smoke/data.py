"""The scenario's test data: uniquely named per run, built with the app's own builders, removed afterwards."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lambdas.intake.submission import OrderSubmission
from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.entities import LEGACY_SHIPMENT, ORDER, entity_key
from lambdas.shared.validation import converted

UNIT_PRICE_MINOR = 4500
CUSTOMER_NAME = "Smoke Test"


@dataclass(frozen=True)
class RunData:
    run_id: str
    high_value_threshold_minor: int

    @classmethod
    def new(cls, high_value_threshold_minor: int) -> RunData:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return cls(f"smoke-{stamp}-{secrets.token_hex(2)}", high_value_threshold_minor)

    def id(self, suffix: str) -> str:
        return f"{self.run_id}-{suffix}"

    @property
    def customer_id(self) -> str:
        return self.id("customer")

    @property
    def customer_email(self) -> str:
        return f"{self.customer_id}@example.com"

    def catalogue(self) -> list[dict[str, Any]]:
        """A customer and four products: p1 and p2 for normal orders, p3 (one in stock) for the high-value one, p4 for
        the orders the sweeper and `ops.orders retry` finish."""
        return [
            customer_item(self.customer_id, CUSTOMER_NAME, self.customer_email),
            product_item(self.id("p1"), 10, UNIT_PRICE_MINOR),
            product_item(self.id("p2"), 5, UNIT_PRICE_MINOR),
            product_item(self.id("p3"), 1, self.high_value_threshold_minor + 1),
            product_item(self.id("p4"), 5, UNIT_PRICE_MINOR),
        ]

    def order(self, name: str, *lines: tuple[str, int], unit_price_minor: int = UNIT_PRICE_MINOR) -> OrderSubmission:
        """An intake message of this run (`lines` are product suffix and quantity)."""
        return converted(
            {
                "orderId": self.id(name),
                "customerId": self.customer_id,
                "currency": "EUR",
                "correlationId": self.id(f"{name}-corr"),
                "lineItems": [
                    {"sku": self.id(sku), "quantity": quantity, "unitPriceMinor": unit_price_minor}
                    for sku, quantity in lines
                ],
            },
            OrderSubmission,
        )

    def keys_to_remove(self, order_names: list[str]) -> list[dict[str, Any]]:
        """Every item the run may have written to the single table."""
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in self.catalogue()]
        for name in order_names:
            for entity in (ORDER, LEGACY_SHIPMENT):  # runs of schemaVersion 1 left shipment items
                key = entity_key(entity, self.id(name))
                keys.append({"pk": {"S": key["pk"]}, "sk": {"S": key["sk"]}})
        return keys
