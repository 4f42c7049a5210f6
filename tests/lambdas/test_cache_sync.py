"""The cache sync: an order's events delivered in any order (newest first, replayed, redriven) leave its newest state
in the cache; two syncs that cross are repaired; what is not an order event fails visibly.

The order runs through the real workflow in moto (so its versions are the app's own writes), its events come from
the table's stream through the enrichment, and the cache is the Momento stand-in over real HTTP on loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.cache_sync import handler as cache_sync
from lambdas.cache_sync.momento import ApiKey, MomentoCache, MomentoError
from lambdas.cache_sync.repository import OrderItems
from lambdas.cache_sync.sync import CacheSyncIncomplete, sync_order
from lambdas.cache_sync.view import PROJECTED_ATTRIBUTES, cached_view
from local_cloud.momento_standin import MomentoStandIn, handler_for
from tests.support.event_store import sqs_records
from tests.support.order_operations import operated_workflow, published
from tests.support.seed import order_item
from tests.support.workflow_harness import REGION, TABLE_NAME, WorkflowHarness

CACHE = "orders-dev"
SECRET = "orders/dev/momento-api-key"


class StandIn:
    def __init__(self, tmp_path: Path) -> None:
        self.state = MomentoStandIn(frozenset({CACHE}), tmp_path / "requests.jsonl")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self.state))
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cached(self, order_id: str) -> dict[str, Any] | None:
        status, value = self.state.answer("GET", f"/cache/{CACHE}?key={order_id}", {"authorization": "k"}, b"")
        return json.loads(value) if status == 200 else None

    def requests(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.state.request_log.read_text().splitlines()]


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    server = StandIn(tmp_path)
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, stand_in: StandIn) -> Iterator[WorkflowHarness]:
    with operated_workflow(monkeypatch) as (harness, _):
        boto3.client("secretsmanager", region_name=REGION).create_secret(Name=SECRET, SecretString="key-1")
        for name, value in {"TABLE_NAME": TABLE_NAME, "CACHE_ENDPOINT": stand_in.endpoint, "CACHE_NAME": CACHE,
                            "CACHE_TTL_SECONDS": "60", "CACHE_API_KEY_SECRET_NAME": SECRET}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        cache_sync._dependencies.cache_clear()
        yield harness
        cache_sync._dependencies.cache_clear()


def order_events(harness: WorkflowHarness, order_id: str) -> list[dict[str, Any]]:
    """The order's bus events, oldest first, as the pipe publishes them from the table's stream."""
    return [e for e in published(harness) if e["detail"]["metadata"]["entityId"] == order_id and
            e["detail"]["metadata"]["entity"] == "Order"]  # fmt: skip


def deliver(*events: dict[str, Any] | str) -> dict[str, Any]:
    """One SQS batch of the sync buffer, as the event source mapping hands it over."""
    context = FakeLambdaContext(function_name="cache-sync")
    return dict(cache_sync.handler({"Records": sqs_records(*events)}, context))


def shipped_order(harness: WorkflowHarness, order_id: str) -> list[dict[str, Any]]:
    harness.put(order_item(order_id, "c-1", [("p-1", 2, 100)]))
    harness.run(harness.order_created_event_detail(order_id))
    return order_events(harness, order_id)


def test_events_delivered_newest_first_leave_the_newest_state_cached(world: WorkflowHarness, stand_in: StandIn) -> None:
    events = shipped_order(world, "o-1")
    versions = [event["detail"]["metadata"]["version"] for event in events]
    assert versions == sorted(versions)
    assert len(versions) >= 3
    for event in reversed(events):  # each in a batch of its own, newest first
        assert deliver(event) == {"batchItemFailures": []}
        assert (stand_in.cached("o-1") or {}).get("status") == "SHIPPED"
        assert (stand_in.cached("o-1") or {}).get("version") == versions[-1]
    fields = {"orderId", "status", "customerId", "currency", "totalMinor", "lineItems", "updatedAt", "version"}
    assert set(stand_in.cached("o-1") or {}) == fields


def test_an_order_named_twice_in_a_batch_is_synced_once(world: WorkflowHarness, stand_in: StandIn) -> None:
    events = shipped_order(world, "o-2")
    assert deliver(*reversed(events)) == {"batchItemFailures": []}
    puts = [r for r in stand_in.requests() if r["method"] == "PUT"]
    assert len(puts) == 1
    assert json.loads(puts[0]["body"])["status"] == "SHIPPED"
    assert puts[0]["query"] == {"key": "o-2", "ttl_seconds": "60"}
    assert puts[0]["headers"]["authorization"] == "<withheld>"


def test_a_deleted_order_leaves_the_cache(world: WorkflowHarness, stand_in: StandIn) -> None:
    events = shipped_order(world, "o-3")
    deliver(events[-1])
    assert stand_in.cached("o-3") is not None
    world.dynamodb.delete_item(TableName=TABLE_NAME, Key={"pk": {"S": "ORDER#o-3"}, "sk": {"S": "ORDER#o-3"}})
    deliver(events[0])  # a late OrderCreated after the delete: the order is gone, and stays gone from the cache
    assert stand_in.cached("o-3") is None


def test_the_sync_reads_only_the_projected_attributes(world: WorkflowHarness) -> None:
    shipped_order(world, "o-4")
    item = OrderItems(TABLE_NAME, world.dynamodb).read("o-4")
    assert item is not None
    stored = world.get("ORDER#o-4")
    assert stored is not None
    left_out = set(stored) - set(PROJECTED_ATTRIBUTES)
    assert {"pk", "correlationId"} <= left_out
    assert set(item) == set(stored) & set(PROJECTED_ATTRIBUTES)


class CrossingTable:
    """The table as two crossing syncs see it: this sync's first read finds version 1, and by the time it reads
    again another sync has read and cached version 2 (the change it was told of)."""

    def __init__(self, *reads: dict[str, Any] | None) -> None:
        self._reads = list(reads)

    def read(self, order_id: str) -> dict[str, Any] | None:
        return self._reads.pop(0) if len(self._reads) > 1 else self._reads[0]


class RecordingCache:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def put(self, key: str, value: bytes) -> None:
        self.calls.append(("put", key, json.loads(value)["version"]))

    def delete(self, key: str) -> None:
        self.calls.append(("delete", key, None))


def item(version: int, status: str = "RESERVED") -> dict[str, Any]:
    return {"orderId": "o-9", "status": status, "customerId": "c-1", "currency": "EUR", "totalMinor": 100,
            "lineItems": [{"sku": "p-1", "quantity": 1, "unitPriceMinor": 100}], "createdAt": "t0",
            "version": version}  # fmt: skip


def test_a_sync_that_crossed_a_newer_one_puts_the_newer_state_back(capsys: pytest.CaptureFixture[str]) -> None:
    cache = RecordingCache()
    assert sync_order("o-9", CrossingTable(item(1), item(2, "SHIPPED")), cache) == "version 2"
    assert cache.calls == [("put", "o-9", 1), ("put", "o-9", 2)]


def test_an_order_that_never_holds_still_is_retried_not_cached_half() -> None:
    cache = RecordingCache()
    with pytest.raises(CacheSyncIncomplete):
        sync_order("o-9", CrossingTable(item(1), item(2), item(3), item(4), item(5)), cache)
    assert [version for _, _, version in cache.calls] == [1, 2, 3]


def test_an_order_without_lines_is_cached_with_what_it_has() -> None:
    """An item another writer put in the table with its keys alone, which the workflow then marked INVALID."""
    marked = {"status": "INVALID", "updatedAt": "t1", "version": 1}  # no orderId attribute either: keys only
    assert cached_view("o-9", marked) == {"orderId": "o-9", "status": "INVALID", "updatedAt": "t1", "version": 1}


def test_an_item_without_a_status_is_not_cached() -> None:
    keys_only = {"orderId": "o-9", "version": 1}
    assert cached_view("o-9", keys_only) is None
    cache = RecordingCache()
    assert sync_order("o-9", CrossingTable(keys_only), cache) == "deleted"
    assert cache.calls == [("delete", "o-9", None)]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"detail": {"metadata": {"entity": "Customer", "entityId": "c-1"}}}),
        json.dumps({"detail-type": "OrderUpdated"}),
    ],
)
def test_a_message_that_names_no_order_is_a_batch_item_failure(world: WorkflowHarness, body: str) -> None:
    assert deliver(body) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}


def test_momento_down_is_a_batch_item_failure(world: WorkflowHarness, stand_in: StandIn) -> None:
    events = shipped_order(world, "o-5")
    stand_in.server.shutdown()
    stand_in.server.server_close()
    assert deliver(events[-1]) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}


class RotatedSecret:
    def __init__(self) -> None:
        self.reads = 0

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        self.reads += 1
        return {"SecretString": "old-key" if self.reads == 1 else "new-key"}


def test_a_refused_key_is_read_again_once(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = stand_in.state.answer

    def only_the_new_key(method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        return (401, b"") if headers.get("authorization") == "old-key" else answer(method, target, headers, body)

    monkeypatch.setattr(stand_in.state, "answer", only_the_new_key)
    secrets = RotatedSecret()
    cache = MomentoCache(stand_in.endpoint, CACHE, 60, ApiKey(SECRET, secrets))
    cache.put("o-7", b"{}")
    assert secrets.reads == 2
    assert stand_in.cached("o-7") == {}
    monkeypatch.setattr(stand_in.state, "answer", lambda *_: (403, b""))
    with pytest.raises(MomentoError, match="answered 403"):
        cache.put("o-7", b"{}")
