"""Keys of the event store table, shared by the store Lambda and the query library (stdlib only).

- partition `aggregate` = "<entity>#<entityId>" (e.g. "Order#o-1");
- sort `eventKey` = "<occurredAt in ms, 13 digits>#<eventId>": an aggregate's events sort by time, and two events
  in the same second (or millisecond) never overwrite each other;
- GSI ByDetailType: `typeShard` = "<detail-type>#<shard>", sort `eventKey`;
- GSI ByDay: `dayShard` = "<YYYY-MM-DD>#<shard>", sort `eventKey`.
Both GSIs spread a hot key (one detail-type, one day) over SHARDS partitions; queries read every shard and merge.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

AGGREGATE = "aggregate"
EVENT_KEY = "eventKey"
BY_DETAIL_TYPE = ("ByDetailType", "typeShard")
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
