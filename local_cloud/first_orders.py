"""`python -m local_cloud first-orders`: the app doing its job, for a newcomer (the last step of `make local`).

Seeds customer `c-1` and products `p-1` and `p-2` (the app's own builders; the README's examples use them), sends
three orders to the intake queue as a producer would, and follows each one: written, reserved, shipped, stored,
cached. It prints each order's request as `orders event-store trace` does, and its journey as a timeline (which hop
took how long), also drawn into `reports/first-orders-<time>.html`. The local cloud is left running.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.orders import SETTLED_STATUSES
from local_cloud.settings import CACHE_REQUESTS_FILE, LOCAL_ENV, LocalCloud, LocalCloudError
from ops.deployed_app import DeployedApp
from ops.event_store.queries import EventStore, StoredEvent
from ops.event_store.trace import trace_lines
from ops.load.account import epoch_seconds
from ops.load.observe import orders_by_id
from ops.pictures import html_page, reports_dir, text_timeline, timeline
from stacks.names import Output

ORDERS = 3
WAIT_SECONDS = 90.0
PROGRESS_SECONDS = 5.0
Hop = tuple[str, float, float]


def first_orders(cloud: LocalCloud) -> None:
    cloud.use_in_this_process()
    app = DeployedApp.find(cloud.client, LOCAL_ENV)
    dynamodb, table = cloud.client("dynamodb"), app[Output.TABLE_NAME]
    for item in (customer_item("c-1", "Ada Lovelace", "ada@example.com"), product_item("p-1", 1000, 1250),
                 product_item("p-2", 1000, 899)):  # fmt: skip
        dynamodb.put_item(TableName=table, Item=item)
    print("seeded customer c-1 and products p-1, p-2 (1,000 in stock each)", flush=True)
    stamp = datetime.now(UTC).strftime("%H%M%S")
    sent = _send(cloud, app[Output.INTAKE_QUEUE_URL], [f"first-{stamp}-{n}" for n in range(1, ORDERS + 1)])
    settled = _wait_settled(dynamodb, table, list(sent))
    store = EventStore(dynamodb, app[Output.EVENT_STORE_TABLE_NAME])
    sections = []
    for order_id, item in settled.items():
        events = _stored(store, order_id, item["status"])
        print(f"\n{order_id}: {item['status']}")
        print("\n".join(trace_lines(item["correlationId"], events)))
        hops = journey(sent[order_id], item, events, _cache_requests(order_id))
        print(f"journey of {order_id} (seconds after it was sent):")
        print("\n".join(text_timeline(hops)))
        sections.append((f"{order_id}: {item['status']}", timeline(f"journey of {order_id}", hops)))
    reports_dir().mkdir(parents=True, exist_ok=True)
    report = reports_dir() / f"first-orders-{stamp}.html"
    report.write_text(html_page("The first orders on the local cloud", sections))
    print(f"\nthe journeys, drawn: {report}")


def _send(cloud: LocalCloud, queue_url: str, order_ids: list[str]) -> dict[str, float]:
    sqs, sent = cloud.client("sqs"), {}
    for number, order_id in enumerate(order_ids, start=1):
        body = {"orderId": order_id, "customerId": "c-1", "currency": "EUR", "correlationId": f"{order_id}-request",
                "lineItems": [{"sku": "p-1", "quantity": number, "unitPriceMinor": 1250},
                              {"sku": "p-2", "quantity": 1, "unitPriceMinor": 899}]}  # fmt: skip
        sent[order_id] = time.time()
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
    print(f"sent {len(order_ids)} orders to the intake queue: {', '.join(order_ids)}", flush=True)
    return sent


def _wait_settled(dynamodb: Any, table: str, order_ids: list[str]) -> dict[str, dict[str, Any]]:
    deadline, said = time.monotonic() + WAIT_SECONDS, 0.0
    while True:
        orders = orders_by_id(dynamodb, table, order_ids)
        settled = {o: item for o, item in orders.items() if item.get("status") in SETTLED_STATUSES}
        if len(settled) == len(order_ids):
            return {order_id: settled[order_id] for order_id in order_ids}
        if time.monotonic() > deadline:
            raise LocalCloudError(f"only {len(settled)} of {len(order_ids)} orders settled in {WAIT_SECONDS:.0f} s: "
                                  f"{ {o: i.get('status') for o, i in orders.items()} }")  # fmt: skip
        if time.monotonic() - said >= PROGRESS_SECONDS:
            print(f"  waiting: {len(orders)} written, {len(settled)} settled of {len(order_ids)}", flush=True)
            said = time.monotonic()
        time.sleep(0.5)


def _stored(store: EventStore, order_id: str, status: str) -> list[StoredEvent]:
    """The order's events once the one of its final status is stored (the store's writer batches for up to 20 s)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        events = store.aggregate("Order", order_id)
        if any((e.detail.get("data") or {}).get("status") == status for e in events):
            return events
        if time.monotonic() > deadline:
            return events
        time.sleep(1.0)


def _cache_requests(order_id: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in CACHE_REQUESTS_FILE.read_text().splitlines()]
    return [e for e in entries if e["method"] in ("PUT", "POST") and order_id in e["body"]]


def journey(
    sent_at: float, item: dict[str, Any], events: list[StoredEvent], requests: list[dict[str, Any]]
) -> list[Hop]:
    """The order's hops from the times it carries: sent (this process), written (`createdAt`), each change of status
    (its event's stream time, which has whole seconds; the last change at the item's own `updatedAt`), and its final
    state cached and published (the Momento stand-in's request log)."""
    written = _epoch_of(item["createdAt"]) - sent_at
    final_at = _epoch_of(item.get("updatedAt") or item["createdAt"]) - sent_at
    hops: list[Hop] = [("intake queue -> pipe -> intake Lambda -> table", 0.0, written)]
    previous = written
    for event in events[1:]:
        status = (event.detail.get("data") or {}).get("status")
        at = final_at if event is events[-1] else min(final_at, max(previous, event.occurred_at / 1000 - sent_at))
        hops.append((f"workflow -> {status}", previous, at))
        previous = at
    final = item["status"]
    cached = [r["time"] for r in requests if r["method"] == "PUT" and json.loads(r["body"]).get("status") == final]
    published = [r["time"] for r in requests if r["method"] == "POST"]
    if cached:
        hops.append((f"stream -> bus -> cache sync -> Momento ({final})", final_at, cached[0] - sent_at))
    if published:
        hops.append(("bus -> API destination -> Momento topic (last change)", final_at, max(published) - sent_at))
    return hops


def _epoch_of(timestamp: str) -> float:
    seconds = epoch_seconds(timestamp)
    assert seconds is not None  # a settled order has both times
    return seconds
