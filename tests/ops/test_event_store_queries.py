"""The query library over a generated history: ordering, time windows at their boundaries, paging, rebuilt state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.enrichment.envelope import envelope
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.table_keys import INDEX_ATTRIBUTES
from ops.event_store.queries import EventStore
from tests.support.event_store import STORE_TABLE, create_store_table
from tests.support.events import bus_event
from tests.support.history import History
from tests.support.synth import synthesize
from tests.support.workflow_harness import TABLE_NAME, create_table_from_template


@dataclass
class Stored:
    client: Any
    history: History
    order_ids: list[str]
    events: list[dict[str, Any]]  # the bus events, in the order they happened

    def store(self, page_size: int | None = None) -> EventStore:
        return EventStore(self.client, STORE_TABLE, page_size=page_size)

    def expected(self, start: int, end: int, detail_type: str | None = None) -> list[str]:
        """Brute force over everything that happened, ordered like the index (occurredAt, then event id)."""
        chosen = [
            e["detail"]["metadata"]
            for e in self.events
            if start <= e["detail"]["metadata"]["occurredAt"] < end and detail_type in (None, e["detail-type"])
        ]
        return [m["eventId"] for m in sorted(chosen, key=lambda m: (m["occurredAt"], m["eventId"]))]


@pytest.fixture(scope="module")
def stored() -> Iterator[Stored]:
    monkeypatch = pytest.MonkeyPatch()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        create_table_from_template(client, synthesize("dev").template("Data"))
        history = History(client, TABLE_NAME)
        order_ids = history.generate()
        feeder = create_store_table(client, monkeypatch)
        events = [bus_event(envelope(record)) for record in history.records]
        for start in range(0, len(events), 10):
            assert feeder.deliver(*events[start : start + 10]) == {"batchItemFailures": []}
        yield Stored(client, history, order_ids, events)
    monkeypatch.undo()


def test_the_history_is_big_enough_to_mean_something(stored: Stored) -> None:
    seconds = [e["detail"]["metadata"]["occurredAt"] for e in stored.events]
    assert len(stored.events) >= 50
    assert len(seconds) - len(set(seconds)) >= 10, "several events must share a second"
    assert len({e["detail"]["metadata"]["occurredAt"] // 86_400_000 for e in stored.events}) >= 2


def test_events_of_an_aggregate_come_in_the_order_they_happened(stored: Stored) -> None:
    for order_id in stored.order_ids:
        happened = [
            e["detail"]["metadata"]["eventId"] for e in stored.events if e["detail"]["metadata"]["entityId"] == order_id
        ]
        assert [e.event_id for e in stored.store().aggregate("Order", order_id)] == happened


def test_rebuilt_order_state_equals_the_tables_final_item(stored: Stored) -> None:
    deleted = 0
    for order_id in stored.order_ids:
        key = {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": f"ORDER#{order_id}"}}
        final = stored.client.get_item(TableName=TABLE_NAME, Key=key).get("Item")
        rebuilt = stored.store().order_state(order_id)
        # Events leave out the index attributes (lambdas/shared/table_keys.py): the rest is the table's item.
        expected = {k: v for k, v in item_to_json(final).items() if k not in INDEX_ATTRIBUTES} if final else None
        assert rebuilt == expected, order_id
        deleted += final is None
    assert 0 < deleted < len(stored.order_ids)


def test_events_of_one_type_in_a_window(stored: Stored) -> None:
    updated = [e for e in stored.events if e["detail-type"] == "OrderUpdated"]
    start = updated[5]["detail"]["metadata"]["occurredAt"]  # an event exactly at the start: included
    end = updated[-5]["detail"]["metadata"]["occurredAt"]  # an event exactly at the end: excluded
    found = [e.event_id for e in stored.store().of_type("OrderUpdated", start, end)]
    assert found == stored.expected(start, end, "OrderUpdated")
    assert updated[5]["detail"]["metadata"]["eventId"] in found
    assert updated[-5]["detail"]["metadata"]["eventId"] not in found


def test_all_events_in_a_window_across_midnight(stored: Stored) -> None:
    times = sorted({e["detail"]["metadata"]["occurredAt"] for e in stored.events})
    start, end = times[3], times[-3]
    found = [e.event_id for e in stored.store().between(start, end)]
    assert found == stored.expected(start, end)
    assert len(found) > 20


@pytest.mark.parametrize(("start_offset", "end_offset"), [(0, 1), (-1, 0), (1, 1), (0, 0)])
def test_one_millisecond_windows_at_an_event(stored: Stored, start_offset: int, end_offset: int) -> None:
    moment = stored.events[10]["detail"]["metadata"]["occurredAt"]
    start, end = moment + start_offset, moment + end_offset
    assert [e.event_id for e in stored.store().between(start, end)] == stored.expected(start, end)


def test_paging_beyond_one_page_returns_everything_once(stored: Stored) -> None:
    calls = 0
    query = stored.client.query

    def counting_query(**request: Any) -> Any:
        nonlocal calls
        calls += 1
        return query(**request)

    client = type("Client", (), {"query": staticmethod(counting_query),
                                 "batch_get_item": staticmethod(stored.client.batch_get_item)})()  # fmt: skip
    paged = EventStore(client, STORE_TABLE, page_size=3)
    everything = (
        stored.events[0]["detail"]["metadata"]["occurredAt"],
        stored.events[-1]["detail"]["metadata"]["occurredAt"] + 1,
    )
    assert [e.event_id for e in paged.between(*everything)] == stored.expected(*everything)
    assert calls > len(stored.events) // 3
    assert [e.event_id for e in paged.aggregate("Customer", "c-1")] == [
        e.event_id for e in stored.store().aggregate("Customer", "c-1")
    ]
