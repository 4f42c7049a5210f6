"""The counted run's traffic: orders of the cost model's default mix, sent at a steady rate, followed until settled."""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from devtools.cost.inputs import Traffic
from devtools.cost.reference_order import CUSTOMER_NAME, CUSTOMER_TIER, reference_id
from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.orders import SETTLED_STATUSES
from local_cloud.settings import LOCAL_ENV, LocalCloud, local_config
from ops.deployed_app import DeployedApp
from ops.load.mixes import LINES, MIX_SEED, PRICE_MINOR, default_outcomes
from ops.load.observe import orders_by_id
from stacks.names import Output

# name: (number in its SKU, stock); pzero: every order that names it is backordered; nope is never seeded
PRODUCTS = {"pa": (1, 10**6), "pb": (2, 10**6), "pzero": (3, 0), "nope": (404, None)}


@dataclass
class Run:
    run_id: str  # cost-<time>-<token>: in every order, customer and correlation id of the run
    token: str  # in the run's SKUs, which are shorter
    high_value_minor: int
    sent: dict[str, str] = field(default_factory=dict)  # order id -> outcome it was built for
    sent_at: list[float] = field(default_factory=list)  # when each was sent, in seconds since `started`
    started: float = 0.0
    seconds_sending: float = 0.0

    @property
    def customer_id(self) -> str:
        return reference_id("customer", f"{self.run_id}-c")

    def sku(self, product: str) -> str:
        return reference_id("sku", f"c{self.token}-", PRODUCTS[product][0])

    @cached_property
    def skus(self) -> tuple[str, ...]:
        return tuple(self.sku(name) for name in PRODUCTS)

    def owns(self, table_key: str) -> bool:
        """Whether an item's key is one of this run's orders, customer or products (asked of every stream record)."""
        return self.run_id in table_key or table_key.endswith(self.skus)

    def order(self, number: int, outcome: str) -> dict[str, Any]:
        items = [{"sku": self.sku(sku), "quantity": q, "unitPriceMinor": self.high_value_minor + 1 if p is None else p}
                 for sku, q, p in LINES[outcome]]  # fmt: skip
        return {"orderId": reference_id("order", f"{self.run_id}-o", number), "customerId": self.customer_id,
                "currency": "EUR", "correlationId": reference_id("correlation", f"{self.run_id}-r", number),
                "lineItems": items}  # fmt: skip

    @property
    def accepted(self) -> list[str]:
        return [order for order, outcome in self.sent.items() if outcome != "rejected"]


class CountedRun:
    def __init__(self, cloud: LocalCloud, orders: int, rate: float) -> None:
        self.cloud = cloud
        self.orders, self.rate = orders, rate
        self.app = DeployedApp.find(cloud.client, LOCAL_ENV)
        self.dynamodb, self.sqs = cloud.client("dynamodb"), cloud.client("sqs")
        self.table = self.app[Output.TABLE_NAME]
        threshold = local_config().workflow.high_value_order_threshold_minor
        token = secrets.token_hex(2)
        self.run = Run(f"cost-{datetime.now(UTC):%Y%m%d%H%M%S}-{token}", token, threshold)

    def send(self, traffic: Traffic) -> None:
        customer = self.run.customer_id
        seed = [customer_item(customer, CUSTOMER_NAME, f"{customer}@example.com", CUSTOMER_TIER)]
        stocks = {name: stock for name, (_, stock) in PRODUCTS.items() if stock is not None}
        seed += [product_item(self.run.sku(name), stock, PRICE_MINOR) for name, stock in stocks.items()]
        for item in seed:
            self.dynamodb.put_item(TableName=self.table, Item=item)
        time.sleep(3)  # the seed's own events pass first
        self.run.started = time.time()
        queue = self.app[Output.INTAKE_QUEUE_URL]
        # Poisson arrivals at the rate, as the model assumes them, not a fixed beat: with a beat of 0.25 s and a 1 s
        # window, whether a batch took 4 or 5 messages depended on a few milliseconds of jitter.
        gaps = random.Random(MIX_SEED)
        due = 0.0
        for number, outcome in enumerate(default_outcomes(self.orders, traffic.outcome_shares())):
            order = self.run.order(number, outcome)
            self.run.sent_at.append(time.time() - self.run.started)
            self.sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(order))
            self.run.sent[order["orderId"]] = outcome
            due += gaps.expovariate(self.rate)
            time.sleep(max(0.0, self.run.started + due - time.time()))
            if number % 50 == 49:
                print(f"  sent {number + 1} of {self.orders}", flush=True)
        self.run.seconds_sending = time.time() - self.run.started

    def wait_settled(self, timeout: float) -> None:
        accepted = self.run.accepted
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = self._statuses(accepted)
            open_orders = [o for o in accepted if statuses.get(o) not in SETTLED_STATUSES]
            print(f"  {len(accepted) - len(open_orders)} of {len(accepted)} accepted orders settled", flush=True)
            if not open_orders:
                return
            time.sleep(5)
        raise SystemExit(f"cost check: {len(open_orders)} orders open after {timeout:.0f} s, e.g. {open_orders[:3]}")

    def _statuses(self, order_ids: list[str]) -> dict[str, str]:
        return {o: str(item.get("status")) for o, item in orders_by_id(self.dynamodb, self.table, order_ids).items()}
