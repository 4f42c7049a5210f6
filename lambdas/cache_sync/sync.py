"""The cache never goes back in time: an order event is only a reason to cache the table's current state.

Momento's HTTP API has no conditional put (GET, PUT and DELETE only), so an API destination that puts the event's
data caches whatever arrives last, and EventBridge does not keep order. Here the event's data is not used at all:
the sync reads the order from the table (strongly consistent), puts that, then reads again. Two syncs of one order
can still cross (A reads version 5, B reads and puts 6, A puts 5), so a sync that finds a newer version on its second
read puts that one too, until a read confirms what it put: the last put of any order is then always followed by a
read that found it current. Late, replayed, redriven and backfilled events therefore all end with the newest state
cached (docs/decisions.md, 34).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from lambdas.cache_sync.view import cached_view
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger
from lambdas.shared.versions import VERSION_ATTRIBUTE

MAX_ROUNDS = 3  # each round is a put and a read; an order that changes faster than that is synced by its next event


class CacheSyncIncomplete(Exception):
    """The order kept changing while it was synced; the record is retried."""


class Orders(Protocol):
    def read(self, order_id: str) -> dict[str, Any] | None: ...


class Cache(Protocol):
    def put(self, key: str, value: bytes) -> None: ...
    def delete(self, key: str) -> None: ...


def sync_order(order_id: str, orders: Orders, cache: Cache) -> str:
    """Puts the order's current view in the cache, or deletes its entry; returns what it did."""
    view = cached_view(order_id, orders.read(order_id))
    for round_number in range(1, MAX_ROUNDS + 1):
        if view is None:
            cache.delete(order_id)
        else:
            cache.put(order_id, json.dumps(view, separators=(",", ":")).encode())
        confirmed = cached_view(order_id, orders.read(order_id))
        if confirmed == view:
            if round_number > 1:
                count(Metric.CACHE_SYNC_RACES, round_number - 1)
            return "deleted" if view is None else f"version {view[VERSION_ATTRIBUTE]}"
        logger.info("The order changed while it was cached; caching the newer state", extra={
            "orderId": order_id, "put": _version(view), "found": _version(confirmed)})  # fmt: skip
        view = confirmed
    raise CacheSyncIncomplete(f"order {order_id} changed in each of {MAX_ROUNDS} rounds; it will be retried")


def _version(view: dict[str, Any] | None) -> object:
    return None if view is None else view.get(VERSION_ATTRIBUTE)
