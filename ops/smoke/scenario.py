"""The smoke scenario: a customer and products, five orders through intake, then the paths that must not repeat.

Every hop is a check with a timeout; the first that fails ends the run with its name. What an environment cannot
show (an emulator without TTL stream records, Express executions that AWS does not list) is said plainly and
skipped, never faked. The steps live in `steps_*` modules, in the order `STEPS` runs them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.event_store.queries import StoredEvent
from ops.momento_cache import MomentoCache
from ops.smoke.data import RunData
from ops.smoke.observers import Events, Queue, RequestLog, Table, WorkflowRuns
from ops.smoke.trace import HopFailed, Trace

# Each order's statuses as its events record them (None: deleted).
EXPECTED_HISTORY: dict[str, list[str | None]] = {
    "o1": ["PENDING", "RESERVED", "SHIPPED", None],
    "o2": ["PENDING", "BACKORDERED"],
    "o3": ["PENDING", "INVALID"],
    "o5": ["PENDING", "RESERVED", "SHIPPED"],
    "o7": ["PENDING", "RESERVED", "SHIPPED"],  # left open: the order sweeper restarts it (steps_restart.py)
    "o8": ["FAILED", "PENDING", "RESERVED", "SHIPPED"],  # failed: `ops.orders retry` reopens and reruns it
}
EXPECTED_STOCK = {"p1": [10, 8], "p2": [5, 4], "p3": [1, 0], "p4": [5, 4, 3]}
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class Bus:
    client: Any
    name: str
    arn: str
    archive_arn: str


@dataclass
class Observers:
    table: Table
    events: Events
    sqs: Any
    intake_queue_url: str
    rejected: Queue
    review: Queue
    workflow: WorkflowRuns
    functions: Any  # Lambda, to run the order sweeper now rather than at its next 5 minutes
    sweeper_function: str
    bus: Bus
    cache: MomentoCache
    cache_sync_buffer_url: str
    requests: RequestLog | None  # only where the Momento stand-in runs


class Scenario:
    def __init__(self, trace: Trace, observe: Observers, data: RunData) -> None:
        self.trace = trace
        self.observe = observe
        self.data = data
        self.sent: dict[str, str] = {}  # order name -> SQS message id
        self.review_messages: list[dict[str, Any]] = []  # what the high-value review queue held for the run
        self.started_at = time.time()

    def order_id(self, name: str) -> str:
        return self.data.id(name)

    def run(self, steps: list[Callable[[Scenario], None]]) -> None:
        self.trace.say(f"smoke run {self.data.run_id}")
        for item in self.data.catalogue():
            self.observe.table.put(item)
        self.send_orders()
        try:
            for step in steps:
                step(self)
        finally:
            self.cleanup()

    def send_orders(self) -> None:
        """o1 ships, o2 is backordered, o3 names an unknown product, o4 is malformed, o5 is high-value, o6 names a
        customer the table does not have."""
        orders = {
            "o1": self.data.order("o1", ("p1", 2), ("p2", 1)),
            "o2": self.data.order("o2", ("p2", 100)),
            "o3": self.data.order("o3", ("nope", 1)),
            "o5": self.data.order("o5", ("p3", 1), unit_price_minor=self.data.high_value_threshold_minor + 1),
        }
        bodies = {name: json.dumps(order.as_json()) for name, order in orders.items()}
        malformed = json.loads(bodies["o1"]) | {"orderId": self.order_id("o4")}
        malformed["lineItems"][0]["quantity"] = 0
        bodies["o4"] = json.dumps(malformed)
        bodies["o6"] = json.dumps(json.loads(bodies["o1"]) | {"orderId": self.order_id("o6"),
                                                              "customerId": self.data.id("nobody")})  # fmt: skip
        for name, body in sorted(bodies.items()):
            response = self.observe.sqs.send_message(QueueUrl=self.observe.intake_queue_url, MessageBody=body)
            self.sent[name] = response["MessageId"]
        self.trace.say(f"  sent {len(bodies)} order messages to the intake queue: {', '.join(sorted(bodies))}")

    def cleanup(self) -> None:
        for key in self.data.keys_to_remove(list(self.sent)):
            self.observe.table.delete(key)
        self.trace.say(f"  removed the run's items from {self.observe.table.name}")

    # --- what the steps share -------------------------------------------------------------------------------
    def wait_status(self, hop: str, name: str, status: str) -> dict[str, Any]:
        order_id = self.order_id(name)

        def shown(order: dict[str, Any]) -> str:
            reason = f" ({order['statusReason']})" if order.get("statusReason") else ""
            return f"{order_id} {order['status']}{reason}"

        item: dict[str, Any] = self.trace.wait_for(
            hop,
            lambda: _with_status(self.observe.table.order(order_id), status),
            shown,
            f"{order_id} {status}",
            lambda: self.observe.table.status(order_id),
        )
        return item

    def stored(self, order_id: str, detail_type: str) -> StoredEvent | None:
        found = [e for e in self.observe.events.of("Order", order_id) if e.detail_type == detail_type]
        return found[0] if found else None

    def stocks(self, wanted: dict[str, int]) -> dict[str, int]:
        return {sku: self.observe.table.stock(self.data.id(sku)) for sku in wanted}

    def stock_problem(self, wanted: dict[str, int]) -> str | None:
        stocks = self.stocks(wanted)
        return None if stocks == wanted else f"stock is {stocks}, expected {wanted}"

    def require(self, found: Any, hop: str, what: str) -> Any:
        if found is None:
            raise HopFailed(f"{hop}: {what} is missing")
        return found


def _with_status(item: dict[str, Any] | None, status: str) -> dict[str, Any] | None:
    return item if item is not None and item.get("status") == status else None
