"""Queries over the event store table: by aggregate, by detail-type and time, by time, and state rebuilt from events.

Time windows are [start, end) in epoch milliseconds. Results come back in time order; a query over a sharded index
reads every shard and merges. `page_size` only bounds each DynamoDB call (every page is read).

Stream records carry whole seconds, so one aggregate often has several events in the same second (an order goes
PENDING -> RESERVED -> SHIPPED in well under one). Their eventKey order is then arbitrary; the
stream's sequence number, which grows with every change of an item, restores the true order of an aggregate.
"""

from __future__ import annotations

import base64
import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.event_compression import body_of
from lambdas.shared.event_store_keys import (
    AGGREGATE,
    BY_DAY,
    EVENT_KEY,
    SHARDS,
    aggregate_of,
    day_of,
    key_bound,
)


@dataclass(frozen=True)
class StoredEvent:
    aggregate: str
    event_key: str
    event_id: str
    occurred_at: int
    sequence_number: int
    detail_type: str
    source: str
    replay_name: str | None
    raw: dict[str, Any]

    @property
    def detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = self.raw.get("detail") or {}
        return detail

    @property
    def metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = self.detail.get("metadata") or {}
        return metadata

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredEvent:
        """An item as the writer stores it now (the event compressed in `rawZ<N>`), or as it stored it before (in
        `rawZ` without a dictionary, or as text in `raw` with its envelope's fields as attributes)."""
        binary = {name: _bytes(value["B"]) for name, value in item.items() if "B" in value}
        plain = item_to_json({name: value for name, value in item.items() if name not in binary})
        body = body_of(binary)
        raw = json.loads(body if body is not None else plain["raw"])
        metadata = (raw.get("detail") or {}).get("metadata") or {} if isinstance(raw.get("detail"), dict) else {}
        return cls(
            aggregate=plain[AGGREGATE],
            event_key=plain[EVENT_KEY],
            event_id=plain["eventId"],
            occurred_at=plain["occurredAt"],
            sequence_number=int(plain.get("sequenceNumber") or metadata.get("sequenceNumber") or 0),
            detail_type=plain["detailType"],
            source=plain.get("source") or raw["source"],
            replay_name=plain.get("replayName"),
            raw=raw,
        )


def _bytes(value: bytes | str) -> bytes:
    """Binary as boto3 returns it (bytes), or as stream records and DynamoDB JSON carry it (base64 text)."""
    return value if isinstance(value, bytes) else base64.b64decode(value)


MAX_KEYS_PER_BATCH_GET = 100


Progress = Callable[[int, int], None]  # (partitions read, partitions to read) of a query by time


class EventStore:
    def __init__(
        self, client: Any, table_name: str, page_size: int | None = None, progress: Progress | None = None
    ) -> None:
        """`progress`: told after each day partition a query by time reads (a range of years reads thousands)."""
        self._client = client
        self._table_name = table_name
        self._page_size = page_size
        self._progress = progress

    def aggregate(self, entity: str, entity_id: str) -> list[StoredEvent]:
        events = self._query(
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": AGGREGATE},
            ExpressionAttributeValues={":pk": {"S": aggregate_of(entity, entity_id)}},
        )
        return sorted(events, key=lambda event: (event.occurred_at, event.sequence_number))

    def of_type(self, detail_type: str, start_ms: int, end_ms: int) -> list[StoredEvent]:
        """The window's events of one detail-type: read by day, kept by type (one index, decision 27)."""
        return [event for event in self.between(start_ms, end_ms) if event.detail_type == detail_type]

    def between(self, start_ms: int, end_ms: int) -> list[StoredEvent]:
        index, partition = BY_DAY
        partitions = [f"{day}#{shard}" for day in _days(start_ms, end_ms) for shard in range(SHARDS)]
        return self._merged(index, partition, partitions, start_ms, end_ms)

    def order_state(self, order_id: str) -> dict[str, Any] | None:
        """The order as its events leave it: the last image written, or None once deleted (or never created)."""
        return fold(self.aggregate("Order", order_id))

    def trace(self, correlation_id: str, start_ms: int, end_ms: int) -> list[StoredEvent]:
        """Every event of one request (its `metadata.correlationId`) in the window, in the order they happened. The
        store has no index by correlation (an index entry per event would cost more than a trace is worth, decision
        34): the window's events are read by day and kept when they belong to the request."""
        found = [e for e in self.between(start_ms, end_ms) if e.metadata.get("correlationId") == correlation_id]
        return sorted(found, key=lambda e: (e.occurred_at, e.aggregate, e.metadata.get("version") or 0,
                                            e.sequence_number))  # fmt: skip

    def _merged(self, index: str, partition: str, values: list[str], start_ms: int, end_ms: int) -> list[StoredEvent]:
        if end_ms <= start_ms:
            return []
        read = [0]  # partitions read to their end (the merge below reads them lazily, a page at a time)
        per_partition = [
            self._told_when_read(self._items(
                IndexName=index,
                KeyConditionExpression="#pk = :pk AND #sk BETWEEN :start AND :end",
                ExpressionAttributeNames={"#pk": partition, "#sk": EVENT_KEY},
                ExpressionAttributeValues={
                    ":pk": {"S": value},
                    ":start": {"S": key_bound(start_ms, upper=False)},
                    ":end": {"S": key_bound(end_ms - 1, upper=True)},
                },
            ), read, len(values))
            for value in values
        ]  # fmt: skip
        return self._events_at(list(heapq.merge(*per_partition, key=lambda item: item[EVENT_KEY]["S"])))

    def _told_when_read(self, items: Iterator[dict[str, Any]], read: list[int], total: int) -> Iterator[dict[str, Any]]:
        yield from items
        read[0] += 1
        if self._progress:
            self._progress(read[0], total)

    def _events_at(self, keys: list[dict[str, Any]]) -> list[StoredEvent]:
        """The indexes hold keys only (docs/decisions.md, 22): the events themselves, read 100 keys per
        BatchGetItem (unprocessed keys asked again), in the order of `keys`."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), MAX_KEYS_PER_BATCH_GET):
            chunk = [
                {AGGREGATE: k[AGGREGATE], EVENT_KEY: k[EVENT_KEY]} for k in keys[start : start + MAX_KEYS_PER_BATCH_GET]
            ]
            request: dict[str, Any] = {self._table_name: {"Keys": chunk}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table_name, []):
                    found[(item[AGGREGATE]["S"], item[EVENT_KEY]["S"])] = item
                request = response.get("UnprocessedKeys") or {}
        wanted = [(k[AGGREGATE]["S"], k[EVENT_KEY]["S"]) for k in keys]
        return [StoredEvent.from_item(found[key]) for key in wanted if key in found]

    def _query(self, **request: Any) -> Iterator[StoredEvent]:
        for item in self._items(**request):
            yield StoredEvent.from_item(item)

    def _items(self, **request: Any) -> Iterator[dict[str, Any]]:
        request = {"TableName": self._table_name, **request}
        if self._page_size:
            request["Limit"] = self._page_size
        while True:
            page = self._client.query(**request)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def fold(events: list[StoredEvent]) -> dict[str, Any] | None:
    state: dict[str, Any] | None = None
    for event in events:
        change = event.detail.get("metadata", {}).get("change")
        state = None if change == "REMOVE" else event.detail.get("data")
    return state


def as_of(events: list[StoredEvent], *, until_ms: int | None = None, version: int | None = None) -> list[StoredEvent]:
    """An aggregate's events up to a moment (occurred at or before it; stream times are whole seconds) or up to a
    version (lambdas/shared/versions.py). Asking by version of events without one is refused: they were written
    before versions, or by a writer outside the app, and their count cannot be known."""
    if version is not None:
        unversioned = [e.event_id for e in events if not isinstance(e.metadata.get("version"), int)]
        if unversioned:
            raise ValueError(f"{len(unversioned)} of the events carry no version (e.g. {unversioned[0]}): ask by time")
        return [e for e in events if e.metadata["version"] <= version]
    if until_ms is not None:
        return [e for e in events if e.occurred_at <= until_ms]
    return events


def _days(start_ms: int, end_ms: int) -> list[str]:
    first = datetime.strptime(day_of(start_ms), "%Y-%m-%d").replace(tzinfo=UTC)
    last = datetime.strptime(day_of(end_ms - 1), "%Y-%m-%d").replace(tzinfo=UTC)
    return [(first + timedelta(days=offset)).strftime("%Y-%m-%d") for offset in range((last - first).days + 1)]
