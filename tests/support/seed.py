"""Items of the single table in DynamoDB JSON, as the intake and the catalogue write them."""

from __future__ import annotations

from typing import Any

LineSpec = tuple[str, int, int]  # sku, quantity, unit price (minor units)


def customer_item(customer_id: str, name: str = "Ada Lovelace") -> dict[str, Any]:
    key = f"CUSTOMER#{customer_id}"
    return {
        "pk": {"S": key},
        "sk": {"S": key},
        "customerId": {"S": customer_id},
        "name": {"S": name},
        "email": {"S": f"{customer_id}@example.com"},
    }


def product_item(sku: str, stock: int, price_minor: int = 1000) -> dict[str, Any]:
    key = f"PRODUCT#{sku}"
    return {"pk": {"S": key}, "sk": {"S": key}, "stock": {"N": str(stock)}, "priceMinor": {"N": str(price_minor)}}


def order_item(order_id: str, customer_id: str, lines: list[LineSpec], *, status: str = "PENDING") -> dict[str, Any]:
    key = f"ORDER#{order_id}"
    return {
        "pk": {"S": key},
        "sk": {"S": key},
        "gsi1pk": {"S": f"CUSTOMER#{customer_id}"},
        "gsi1sk": {"S": f"ORDER#2026-11-22T10:00:00.000Z#{order_id}"},
        "orderId": {"S": order_id},
        "status": {"S": status},
        "customerId": {"S": customer_id},
        "currency": {"S": "EUR"},
        "totalMinor": {"N": str(sum(quantity * price for _, quantity, price in lines))},
        "lineItems": {
            "L": [
                {"M": {"sku": {"S": sku}, "quantity": {"N": str(quantity)}, "unitPriceMinor": {"N": str(price)}}}
                for sku, quantity, price in lines
            ]
        },
        "correlationId": {"S": f"corr-{order_id}"},
        "createdAt": {"S": "2026-11-22T10:00:00.000Z"},
    }
