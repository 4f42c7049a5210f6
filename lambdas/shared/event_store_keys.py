"""Keys of the event store table, shared by the store Lambda and the query library (stdlib only).

- partition `aggregate` = "<entity>#<entityId>" (e.g. "Order#o-1");
- sort `eventKey` = "<occurredAt in ms, 13 digits>#<eventId>": an aggregate's events sort by time, and two events
  in the same second (or millisecond) never overwrite each other;
- GSI ByDay: `dayShard` = "<YYYY-MM-DD>#<shard>", sort `eventKey`, spread over SHARDS partitions so that one day
  is not one hot key; a query reads every shard and merges. Queries by detail-type read the day's events and keep
  that type (the one index of decision 27: an operator's query reads more, every event writes less).
- `rawZ<N>`: the event as the bus delivered it, zlib-compressed with preset dictionary N (binary), so that an item
  fits one write unit (lambdas/shared/event_compression.py); `rawZ` without a dictionary in items written before.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

AGGREGATE = "aggregate"
EVENT_KEY = "eventKey"
BY_DAY = ("ByDay", "dayShard")
TTL_ATTRIBUTE = "expiresAt"
SHARDS = 4
FOREIGN_ENTITY = "foreign"


def event_key(occurred_at_ms: int, event_id: str) -> str:
    return f"{occurred_at_ms:013d}#{event_id}"


def key_bound(occurred_at_ms: int, *, upper: bool) -> str:
    """Sort-key bound for a time window [start, end): `eventKey BETWEEN bound(start) AND bound(end - 1, upper)`."""
    return f"{occurred_at_ms:013d}~" if upper else f"{occurred_at_ms:013d}"


def shard_of(event_id: str) -> int:
    return zlib.crc32(event_id.encode()) % SHARDS


def day_of(occurred_at_ms: int) -> str:
    return datetime.fromtimestamp(occurred_at_ms / 1000, UTC).strftime("%Y-%m-%d")


def aggregate_of(entity: str, entity_id: str) -> str:
    return f"{entity}#{entity_id}"
