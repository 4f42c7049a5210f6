"""What a load run sends: its own customer and products, named after the run, and orders of one mix, each with the
outcome it should have. Built with the app's own builders; the counted run (local_cloud.cost_check) uses the same
outcomes and order lines."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.entities import CUSTOMER, ORDER, PRODUCT, entity_key

Mix = Literal["default", "contention", "duplicates", "poison"]
MIXES: tuple[Mix, ...] = ("default", "contention", "duplicates", "poison")
PRICE_MINOR = 4500
PLENTY = 10**6
MIX_SEED = 24  # the same spread of outcomes in every run
# What each outcome orders: (product, quantity, unit price), the price None meaning above the high-value threshold.
LINES: dict[str, list[tuple[str, int, int | None]]] = {
    "shipped": [("pa", 1, PRICE_MINOR), ("pb", 1, PRICE_MINOR)],
    "high_value": [("pa", 1, None), ("pb", 1, PRICE_MINOR)],
    "backordered": [("pa", 1, PRICE_MINOR), ("pzero", 1, PRICE_MINOR)],
    "invalid": [("pa", 1, PRICE_MINOR), ("nope", 1, PRICE_MINOR)],  # a product nobody seeded
    "rejected": [("pa", 0, PRICE_MINOR), ("pb", 1, PRICE_MINOR)],  # quantity 0: intake refuses it
    # The poison mix's bad records, each beside good orders (see POISON):
    "bad_customer": [("pa", 1, PRICE_MINOR)],
    "long_customer": [("pa", 1, PRICE_MINOR)],
    "stock_not_number": [("pa", 1, PRICE_MINOR), ("lots", 1, PRICE_MINOR)],
    "heartbeat_tagged": [("pa", 1, PRICE_MINOR), ("pb", 1, PRICE_MINOR)],
    "keys_only_order": [],  # not a message: an order item written to the table with its keys alone
}
# What each poison is, and the reason its order must carry where it ends (the rejected message, or the order's
# statusReason): a customer item without customerId; a customerId no DynamoDB key can hold; a product whose stock
# is text; a valid order a producer tagged as a monitoring heartbeat (it must ship like any other); an order item
# another writer put in the table with its keys alone.
POISON = {
    "bad_customer": "the customer's item is not a valid customer",
    "long_customer": "customerId: ",
    "stock_not_number": "products whose stock is not a number",
    "heartbeat_tagged": "",
    "keys_only_order": "the order item has no status",
}
POISON_EVERY = 5  # one order in five is poison, the kinds in turn
# The final status each outcome should reach; REJECTED means the intake's rejected queue, with its reason.
EXPECTED = {"shipped": "SHIPPED", "high_value": "SHIPPED", "backordered": "BACKORDERED", "invalid": "INVALID",
            "rejected": "REJECTED", "contended": "SHIPPED or BACKORDERED", "bad_customer": "REJECTED",
            "long_customer": "REJECTED", "stock_not_number": "INVALID", "heartbeat_tagged": "SHIPPED",
            "keys_only_order": "INVALID"}  # fmt: skip
# The statuses an order's events record on the way to its final status, in order (decision 27: no PROCESSING).
HISTORIES = {"SHIPPED": ["PENDING", "RESERVED", "SHIPPED"], "BACKORDERED": ["PENDING", "BACKORDERED"],
             "INVALID": ["PENDING", "INVALID"]}  # fmt: skip


# The default mix: the share of orders with each outcome but `shipped`, which has the rest. The cost model prices the
# same profile (devtools/cost/inputs.py Traffic takes its defaults from here).
DEFAULT_SHARES = {"rejected": 0.01, "invalid": 0.02, "backordered": 0.03, "high_value": 0.01}


def expected_history(outcome: str, status: str) -> list[str | None] | None:
    """The statuses an order's events record, in order, for an order of this outcome that ended in `status` (None:
    nothing to expect, e.g. not settled). An order item written with its keys alone was created without one."""
    if outcome == "keys_only_order":
        return [None, "INVALID"] if status == "INVALID" else None
    return list(HISTORIES[status]) if status in HISTORIES else None


def default_outcomes(orders: int, shares: Mapping[str, float] = DEFAULT_SHARES) -> list[str]:
    """`orders` outcomes of the mix, shuffled the same way every run so that they spread out."""
    mix = [name for name, share in shares.items() for _ in range(round(orders * share))]
    mix += ["shipped"] * (orders - len(mix))
    random.Random(MIX_SEED).shuffle(mix)
    return mix


@dataclass(frozen=True)
class PlannedOrder:
    body: dict[str, Any]  # the intake message
    outcome: str  # a key of EXPECTED
    sends: int = 1  # the duplicates mix sends every message twice
    attributes: dict[str, str] | None = None  # SQS message attributes (string values)
    table_item: dict[str, Any] | None = None  # written to the table directly instead of sent (another writer)

    @property
    def reason(self) -> str | None:
        """What the reason of a poison order must contain (None: any reason, or none)."""
        return POISON.get(self.outcome) or None

    @property
    def order_id(self) -> str:
        return str(self.body["orderId"])


@dataclass(frozen=True)
class LoadPlan:
    run_id: str
    mix: Mix
    high_value_minor: int
    orders: list[PlannedOrder]
    stock: dict[str, int]  # product name -> units seeded

    @classmethod
    def new(cls, mix: Mix, orders: int, high_value_minor: int) -> LoadPlan:
        if mix not in MIXES:
            raise ValueError(f"unknown mix {mix!r}: one of {', '.join(MIXES)}")
        if orders < 1:
            raise ValueError("a load needs at least one order")
        run_id = f"load-{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
        plan = cls(run_id, mix, high_value_minor, [], {})
        if mix == "poison":
            stock = {"pa": PLENTY, "pb": PLENTY, "lots": 0}
            kinds = list(POISON)
            outcomes = [kinds[(n // POISON_EVERY) % len(kinds)] if n % POISON_EVERY == POISON_EVERY - 1 else "shipped"
                        for n in range(orders)]  # fmt: skip
            planned = [plan._poisoned(n, outcome) for n, outcome in enumerate(outcomes)]
        elif mix == "contention":
            # Many orders, one unit each, for a product with stock for a quarter of them.
            stock = {"scarce": max(1, orders // 4)}
            planned = [PlannedOrder(plan._order(n, [("scarce", 1, PRICE_MINOR)]), "contended") for n in range(orders)]
        else:
            stock = {"pa": PLENTY, "pb": PLENTY, "pzero": 0}
            sends = 2 if mix == "duplicates" else 1
            planned = [PlannedOrder(plan._order(n, LINES[outcome]), outcome, sends)
                       for n, outcome in enumerate(default_outcomes(orders))]  # fmt: skip
        return cls(run_id, mix, high_value_minor, planned, stock)

    def id(self, suffix: str) -> str:
        return f"{self.run_id}-{suffix}"

    @property
    def customer_id(self) -> str:
        return self.id("customer")

    def sku(self, product: str) -> str:
        return self.id(product)

    def seed_items(self) -> list[dict[str, Any]]:
        customer = customer_item(self.customer_id, "Load Test", f"{self.customer_id}@example.com")
        products = [product_item(self.sku(name), units, PRICE_MINOR) for name, units in self.stock.items()]
        if self.mix != "poison":
            return [customer, *products]
        bad_customer = {**customer_item(self.bad_customer_id, "x", "x@example.com"), "name": {"NULL": True}}
        del bad_customer["customerId"]
        products = [{**p, "stock": {"S": "lots"}} if p["sku"]["S"] == self.sku("lots") else p for p in products]
        return [customer, bad_customer, *products]

    @property
    def bad_customer_id(self) -> str:
        return self.id("badcustomer")

    def keys_to_remove(self) -> list[dict[str, Any]]:
        """Every item the run wrote to the single table: its customer, products and orders."""
        keys = [entity_key(CUSTOMER, self.customer_id)]
        keys += [entity_key(CUSTOMER, self.bad_customer_id)] if self.mix == "poison" else []
        keys += [entity_key(PRODUCT, self.sku(name)) for name in self.stock]
        keys += [entity_key(ORDER, planned.order_id) for planned in self.orders]
        return [{name: {"S": value} for name, value in key.items()} for key in keys]

    def _poisoned(self, number: int, outcome: str) -> PlannedOrder:
        body = self._order(number, LINES[outcome])
        if outcome == "bad_customer":
            body["customerId"] = self.bad_customer_id
        elif outcome == "long_customer":
            body["customerId"] = "c" * 3002
        attributes = {"purpose": "heartbeat"} if outcome == "heartbeat_tagged" else None
        table_item = None
        if outcome == "keys_only_order":
            table_item = {name: {"S": value} for name, value in entity_key(ORDER, body["orderId"]).items()}
        return PlannedOrder(body, outcome, attributes=attributes, table_item=table_item)

    def _order(self, number: int, lines: list[tuple[str, int, int | None]]) -> dict[str, Any]:
        items = [{"sku": self.sku(product), "quantity": quantity,
                  "unitPriceMinor": self.high_value_minor + 1 if price is None else price}
                 for product, quantity, price in lines]  # fmt: skip
        return {"orderId": self.id(f"o{number:05d}"), "customerId": self.customer_id, "currency": "EUR",
                "correlationId": self.id(f"r{number:05d}"), "lineItems": items}  # fmt: skip
