"""The event store handler against a moto table: once per event, replays deduped, nothing lost, exact data."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools.cost.item_sizes import WRITE_UNIT_BYTES, item_bytes
from lambdas.enrichment.envelope import envelope
from lambdas.shared.event_compression import body_of
from ops.event_store.queries import StoredEvent
from tests.support.event_store import StoreFeeder, create_store_table
from tests.support.events import bus_event, stream_record


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreFeeder]:
    with mock_aws():
        yield create_store_table(boto3.client("dynamodb", region_name="eu-west-1"), monkeypatch)


def event_from(fixture: str) -> dict[str, Any]:
    return bus_event(envelope(stream_record(fixture)))


def test_the_same_event_three_times_is_one_item(store: StoreFeeder, capsys: pytest.CaptureFixture[str]) -> None:
    event = event_from("order_insert")
    assert store.deliver(event, event) == {"batchItemFailures": []}
    assert store.deliver(event) == {"batchItemFailures": []}

    [item] = store.items()
    assert item["aggregate"] == {"S": "Order#o-1001"}
    assert item["eventKey"] == {"S": "1763827200000#a1b2c3d4e5f60718293a4b5c6d7e8f90"}
    duplicates = [json.loads(line)["DuplicateEvents"] for line in capsys.readouterr().out.splitlines()
                  if '"DuplicateEvents"' in line]  # fmt: skip
    assert duplicates == [[1.0], [1.0]]


def test_a_replayed_copy_adds_nothing(store: StoreFeeder) -> None:
    event = event_from("order_modify")
    store.deliver(event)
    replayed = {**copy.deepcopy(event), "replay-name": "replay-2026-11-22", "id": "another-eventbridge-id"}
    assert store.deliver(replayed) == {"batchItemFailures": []}

    [item] = store.items()
    assert "replayName" not in item


def test_a_replay_of_an_event_never_stored_is_stored_and_marked(store: StoreFeeder) -> None:
    store.deliver({**event_from("customer_insert"), "replay-name": "rebuild"})
    [item] = store.items()
    assert item["replayName"] == {"S": "rebuild"}


def test_two_events_in_the_same_second_are_two_items(store: StoreFeeder) -> None:
    first, second = event_from("order_insert"), event_from("order_modify")
    second["detail"]["metadata"]["occurredAt"] = first["detail"]["metadata"]["occurredAt"]
    store.deliver(first, second)
    assert len(store.items()) == 2


def test_numbers_and_nested_data_are_kept_exactly(store: StoreFeeder) -> None:
    event = event_from("product_every_type")
    store.deliver(event)
    [item] = store.items()
    raw = body_of({"rawZ1": item["rawZ1"]["B"]}) or ""  # kept verbatim, compressed with dictionary 1
    assert json.loads(raw) == event
    assert "123456789012345678901234567890" in raw
    assert '"3.1415926535897932384626433832795028"' in raw
    assert item["occurredAt"] == {"N": "1763827200000"}
    assert item["detailType"] == {"S": "ProductCreated"}
    assert set(item) == {"aggregate", "eventKey", "dayShard", "eventId", "occurredAt", "detailType", "rawZ1"}
    assert item["dayShard"]["S"].startswith("2025-11-22#")


def test_a_foreign_event_is_stored_under_its_fallback_key(store: StoreFeeder, caplog: pytest.LogCaptureFixture) -> None:
    foreign = {
        "version": "0", "id": "0f1e2d3c-aaaa-bbbb-cccc-000000000001", "detail-type": "PaymentCaptured",
        "source": "payments.gateway", "account": "123456789012", "time": "2026-11-22T10:00:00Z",
        "region": "eu-west-1", "resources": [], "detail": {"paymentId": "pay-1", "amountMinor": 1999},
    }  # fmt: skip
    assert store.deliver(foreign) == {"batchItemFailures": []}

    [item] = store.items()
    assert item["aggregate"] == {"S": "foreign#payments.gateway"}
    assert item["eventId"] == {"S": "eb-0f1e2d3c-aaaa-bbbb-cccc-000000000001"}
    assert item["eventKey"] == {"S": "1795341600000#eb-0f1e2d3c-aaaa-bbbb-cccc-000000000001"}
    assert json.loads(body_of({"rawZ1": item["rawZ1"]["B"]}) or "") == foreign
    assert any(r.getMessage() == "Stored a foreign event under its fallback key" for r in caplog.records)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "message body is not JSON"),
        ("[1]", "message body is not an EventBridge event"),
        (json.dumps({"id": "x", "source": "s"}), "message body is not an EventBridge event"),
        (json.dumps({"id": "x", "source": "s", "detail-type": "T", "time": "yesterday"}), "has no usable time"),
    ],
)
def test_a_malformed_record_is_a_batch_item_failure_with_a_clear_reason(
    store: StoreFeeder, caplog: pytest.LogCaptureFixture, body: str, reason: str
) -> None:
    good = event_from("customer_insert")
    result = store.deliver(good, body)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert len(store.items()) == 1
    [logged] = [r for r in caplog.records if r.getMessage().startswith("Not an event")]
    assert reason in logged.reason  # type: ignore[attr-defined]


def test_retention_sets_the_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        store = create_store_table(boto3.client("dynamodb", region_name="eu-west-1"), monkeypatch, retention_days=30)
        store.deliver(event_from("order_insert"))
        [item] = store.items()
    assert item["expiresAt"] == {"N": str(1763827200 + 30 * 86_400)}


def test_without_retention_nothing_expires(store: StoreFeeder) -> None:
    store.deliver(event_from("order_insert"))
    [item] = store.items()
    assert "expiresAt" not in item


def test_an_event_of_the_apps_usual_size_is_one_write_unit(store: StoreFeeder) -> None:
    """Compressed, with only what the queries need as attributes (decision 27): one write unit, not three."""
    store.deliver(event_from("order_modify"))
    [item] = store.items()
    assert item_bytes(item) <= WRITE_UNIT_BYTES


def test_an_item_stored_before_the_compression_is_still_read() -> None:
    raw = {"id": "e-1", "source": "orders.table", "detail-type": "OrderUpdated",
           "detail": {"metadata": {"sequenceNumber": "42"}}}  # fmt: skip
    before = {"aggregate": {"S": "Order#o-1"}, "eventKey": {"S": "1#e"}, "eventId": {"S": "e"},
              "occurredAt": {"N": "1"}, "detailType": {"S": "OrderUpdated"}, "source": {"S": "orders.table"},
              "sequenceNumber": {"S": "42"}, "raw": {"S": json.dumps(raw)}}  # fmt: skip
    event = StoredEvent.from_item(before)
    assert (event.raw, event.sequence_number, event.source) == (raw, 42, "orders.table")
