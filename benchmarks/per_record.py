"""Per-record cost of every handler: `python -m benchmarks.per_record` (part of `make benchmark`).

Each handler runs in-process against in-memory AWS fakes (devtools/fake_aws.py), on input built by the
production builders, and is reported as its time per record over a floor measured in the same run: a JSON
round trip of the same input (what any handler pays to receive it). Ratios only; absolute times depend on the
machine. No target: it shows where a record's time goes, and a change that multiplies it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import timeit
import warnings
from collections.abc import Callable
from typing import Any

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "benchmark")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Benchmark")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from devtools.fake_aws import FakeDynamoDB, FakeSqs
from devtools.fake_lambda_context import FakeLambdaContext
from event_contract.examples import example_event, example_items, example_stream_record
from event_contract.schemas import DETAIL_TYPES
from lambdas.customer_snapshot import handler as customer_lookup
from lambdas.customer_snapshot.repository import Customers
from lambdas.enrichment import handler as enrichment
from lambdas.event_store import handler as event_store
from lambdas.event_store.repository import StoredEvents
from lambdas.intake import handler as intake
from lambdas.intake.repository import Orders, RejectedMessages
from lambdas.process_order import handler as process_order
from lambdas.process_order.repository import OrderReferences
from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.ship_order import handler as ship_order
from rendering.pipe_records import sqs_record

TABLE = "orders"
QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:benchmark"
BATCH = 10  # the intake and event-store batch size


class StoreClient:
    """The event store's PutItem, accepting everything."""

    def put_item(self, **_: Any) -> dict[str, Any]:
        return {}


def message_record(message_id: str, body: str) -> dict[str, Any]:
    """The record Pipes hands on for an SQS message with this id and body."""
    message = {"MessageId": message_id, "ReceiptHandle": f"handle-{message_id}", "Body": body,
               "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1763827200000"}}  # fmt: skip
    return sqs_record(message, QUEUE_ARN, "eu-west-1")


def order_body(index: int) -> str:
    return json.dumps({"orderId": f"o-{index}", "customerId": "c-1", "currency": "EUR",
                       "lineItems": [{"sku": "p-1", "quantity": 1, "unitPriceMinor": 100}]})  # fmt: skip


def cases() -> dict[str, tuple[Callable[[], object], Any, int]]:
    """Handler -> (one call, its input, records per call)."""
    table, sqs, counter = FakeDynamoDB(), FakeSqs(), iter(range(10**9))
    table.put_item(TableName=TABLE, Item=customer_item("c-1", "Ada Lovelace", "c-1@example.com"))
    table.put_item(TableName=TABLE, Item=product_item("p-1", 10**9, 1000))
    customer_lookup._dependencies = lambda: Customers(TABLE, table)  # type: ignore[assignment]
    intake._dependencies = lambda: (Orders(TABLE, table), RejectedMessages("https://sqs/rejected", sqs))  # type: ignore[assignment]
    event_store._dependencies = lambda: (StoredEvents(TABLE, StoreClient()), None)  # type: ignore[assignment]
    process_order._dependencies = lambda: (OrderReferences(TABLE, table), TABLE)  # type: ignore[assignment]
    context = FakeLambdaContext()
    order = item_to_json(example_items(DETAIL_TYPES[0].entity)[0])
    stream = [example_stream_record(DETAIL_TYPES[0])] * BATCH
    buffered = [
        message_record(f"m-{i}", json.dumps(example_event(DETAIL_TYPES[i % len(DETAIL_TYPES)]))) for i in range(BATCH)
    ]

    def intake_batch() -> list[dict[str, Any]]:
        return [message_record(f"m-{n}", order_body(n)) for n in (next(counter) for _ in range(BATCH))]

    ship_request = {"orderId": "o-1001", "correlationId": "c", "lineItems": order["lineItems"]}
    return {
        "enrichment": (lambda: enrichment.handler(stream, context), stream, BATCH),
        "customer_snapshot": (lambda: customer_lookup.handler(intake_batch(), context), intake_batch(), BATCH),
        "intake": (
            lambda: intake.handler(customer_lookup.handler(intake_batch(), context), context),
            intake_batch(),
            BATCH,
        ),
        "event_store": (lambda: event_store.handler({"Records": buffered}, context), buffered, BATCH),
        "process_order": (lambda: process_order.handler({"orderId": "o-1001", "order": order}, context), order, 1),
        "ship_order": (lambda: ship_order.handler(ship_request, context), ship_request, 1),
    }


def per_record(call: Callable[[], object], records: int, number: int = 20) -> float:
    with contextlib.redirect_stdout(io.StringIO()):  # the metrics flush prints EMF
        return min(timeit.repeat(call, number=number, repeat=5)) / number / records


def _round_trip(payload: Any) -> Callable[[], object]:
    return lambda: json.loads(json.dumps(payload))


def main() -> int:
    warnings.filterwarnings("ignore", message="No application metrics to publish")  # ShipOrder has none to flush
    print("per-record time / JSON round trip of the same input (one run, in-process, in-memory AWS fakes)")
    for name, (call, payload, records) in cases().items():
        floor = per_record(_round_trip(payload), records)
        cost = per_record(call, records)
        print(f"  {name:18s} {cost / floor:7.1f}x  ({records} record{'s' if records > 1 else ''} per call)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
