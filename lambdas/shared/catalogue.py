"""Customers and products as the single table holds them: the fields intake snapshots and ProcessOrder reads (a
customer's name, e-mail and tier; a product's stock, which CheckInventory decrements). Whatever writes them (a
catalogue import, a seed script, the smoke scenario, the tests) builds them here."""

from __future__ import annotations

from typing import Any

from lambdas.shared.entities import CUSTOMER, PRODUCT
from lambdas.shared.table import item_key
from lambdas.shared.versions import FIRST_VERSION, VERSION_ATTRIBUTE


def customer_item(customer_id: str, name: str, email: str, tier: str | None = None) -> dict[str, Any]:
    return {
        **item_key(CUSTOMER, customer_id),
        "customerId": {"S": customer_id},
        "name": {"S": name},
        "email": {"S": email},
        **({"tier": {"S": tier}} if tier else {}),
        VERSION_ATTRIBUTE: FIRST_VERSION,
    }


def product_item(sku: str, stock: int, price_minor: int) -> dict[str, Any]:
    return {
        **item_key(PRODUCT, sku),
        "sku": {"S": sku},
        "stock": {"N": str(stock)},
        "priceMinor": {"N": str(price_minor)},
        VERSION_ATTRIBUTE: FIRST_VERSION,
    }
