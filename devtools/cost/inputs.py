"""What the cost model prices from, besides the templates: the traffic profile, the assumptions printed with every
result, the list prices (prices.json) and what one order causes (footprint.json, measured by
tests/workflow/test_cost_footprint.py)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.cost.item_sizes import WRITE_UNIT_BYTES
from ops.load.mixes import DEFAULT_SHARES

HERE = Path(__file__).resolve().parent
SECONDS_PER_MONTH = 30 * 24 * 3600
KB_PER_GB = 1024 * 1024
OUTCOMES = ("shipped", "backordered", "invalid")


@dataclass(frozen=True)
class Traffic:
    orders_per_month: int = 1_000_000
    # The default mix of ops.load and the counted run (ops/load/mixes.py), so that the model prices what they send.
    share_rejected_at_intake: float = DEFAULT_SHARES["rejected"]
    share_invalid: float = DEFAULT_SHARES["invalid"]
    share_backordered: float = DEFAULT_SHARES["backordered"]
    share_high_value: float = DEFAULT_SHARES["high_value"]

    def outcome_shares(self) -> dict[str, float]:
        """The shares in the form of ops.load's mixes."""
        return {"rejected": self.share_rejected_at_intake, "invalid": self.share_invalid,
                "backordered": self.share_backordered, "high_value": self.share_high_value}  # fmt: skip

    @property
    def accepted(self) -> float:
        return self.orders_per_month * (1 - self.share_rejected_at_intake)

    @property
    def orders_per_second(self) -> float:
        """The month's average: traffic spread evenly (a peak only fills batches better, which costs less)."""
        return self.orders_per_month / SECONDS_PER_MONTH

    def shares(self) -> dict[str, float]:
        shares = {"invalid": self.share_invalid, "backordered": self.share_backordered}
        return {"shipped": 1 - sum(shares.values()), **shares}


def records_per_batch(records_per_second: float, window_seconds: float, batch_size: int) -> float:
    """How full a poller's batches are: the first record opens the batching window, which then collects what arrives
    while it is open (Poisson arrivals), up to the batch size. Full batches only when the traffic fills them."""
    return min(float(batch_size), 1.0 + records_per_second * window_seconds)


def batch_sizes(arrivals: list[float], window_seconds: float, batch_size: int) -> list[int]:
    """The batches that mechanism makes of records arriving at these times (seconds, sorted): the first record not yet
    batched opens a window, which takes what arrives before it closes, up to the batch size. `records_per_batch` is
    its mean for arrivals at a steady rate; the counted run applies it to the times it really sent at."""
    sizes: list[int] = []
    start = 0
    while start < len(arrivals):
        end = start + 1
        while end < len(arrivals) and end - start < batch_size and arrivals[end] <= arrivals[start] + window_seconds:
            end += 1
        sizes.append(end - start)
        start = end
    return sizes


@dataclass(frozen=True)
class Assumptions:
    lambda_ms: tuple[tuple[str, float], ...] = (
        ("enrichment", 20),
        ("customer_snapshot", 15),
        ("intake", 40),
        ("event_store", 40),
        ("cache_sync", 60),  # two reads and a put to Momento per order in the batch
        ("process_order", 30),
        ("ship_order", 25),
        ("order_sweeper", 150),
    )  # per invocation, warm
    state_ms: tuple[tuple[str, float], ...] = (("lambda", 60), ("dynamodb", 25), ("other", 5))  # EXPRESS duration
    express_memory_gb: float = 0.0625  # the 64 MB billing chunk
    log_kb_per_invocation: tuple[tuple[str, float], ...] = (
        ("DEBUG", 4.0),
        ("INFO", 0.6),
        ("WARN", 0.0),
        ("ERROR", 0.0),
    )  # what a handler logs in a call that goes well, by application log level
    platform_log_kb_per_invocation: float = 0.35  # START, END and REPORT, written at SystemLogLevel INFO or DEBUG
    pipe_log_kb_per_request: tuple[tuple[str, float], ...] = (
        ("TRACE", 2.0),
        ("INFO", 0.5),
        ("ERROR", 0.0),
        ("OFF", 0.0),
    )
    log_storage_compression: float = 0.15  # stored size over ingested size
    stream_polls_per_second: float = 4.0  # per shard, one shard
    # Lambda and Pipes poll an SQS source with long polling (20 s waits); five pollers while it is idle.
    idle_queue_pollers: int = 5
    warm_instances: int = 2  # of the cache sync, each reading the API key every 5 minutes while warm
    long_poll_seconds: int = 20
    # An incident's metric (lambdas/shared/metric_names.py ON_INCIDENT) is published only in the hours something went
    # wrong, and billed for those hours only: a day a month, each.
    incident_metric_hours_per_month: int = 24
    alarm_notifications_per_month: int = 100  # per topic: alarm state changes, both ways


def prices() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "prices.json").read_text())
    return loaded


def footprint() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "footprint.json").read_text())
    return loaded


@dataclass(frozen=True)
class OrderFootprint:
    """Per accepted order, weighted over the outcomes of the traffic profile."""

    states: float
    lambda_calls: dict[str, float]
    records: float  # stream records: each is read by the pipe and handed to the enrichment
    events: float  # of them, bus events (a product's stock-only change is none: lambdas/enrichment/publication.py)
    order_records: float  # of them, Order events
    writes: list[tuple[float, dict[str, Any]]]  # (weight, measured write)
    cancelled_writes: float
    event_bytes: float  # per bus event, on average
    stored_event_bytes: float
    kept_bytes: dict[str, float]  # by entity: the size of the items an order leaves in the table (its last images)
    kept_indexes: dict[str, set[str]]  # by entity: the GSIs its last image stays in
    history_bytes: float  # an execution's history, as logged at ALL with execution data
    history_bytes_without_data: float

    def table_write_units(self, projections: dict[str, str], *, replica: bool = False) -> float:
        """Write units of the table and its GSIs per order. A replica pays no transactional doubling (replication
        is not a transaction); a cancelled transaction is priced as if it consumed its writes (DynamoDB's guide does
        not say it does not)."""
        units = 0.0
        for weight, write in self.writes:
            size = max(write["beforeBytes"], write["afterBytes"])
            table = math.ceil(size / WRITE_UNIT_BYTES) or 1
            units += weight * (table * (2 if write["transactional"] and not replica else 1))
            units += weight * sum(
                _index_write_units(write["afterBytes"], change, projections[index])
                for index, change in write["indexKeys"].items()
            )
        return units + (0 if replica else 2 * self.cancelled_writes)

    def stored_event_write_units(self, projections: list[str]) -> float:
        """Per event: the item, and each GSI (keys only: one unit; ALL: the item again)."""
        per_event = 0.0
        for weight, write in self.published_writes():
            item = math.ceil(write["storedEventBytes"] / WRITE_UNIT_BYTES)
            per_event += weight * (item + sum(item if p == "ALL" else 1 for p in projections))
        return per_event / self.events

    def published_writes(self) -> list[tuple[float, dict[str, Any]]]:
        return published_writes(self.writes)


def published_writes(writes: list[tuple[float, dict[str, Any]]]) -> list[tuple[float, dict[str, Any]]]:
    """The writes that became bus events (a product's stock-only change is none)."""
    return [(weight, write) for weight, write in writes if write["published"]]


def _index_write_units(after_bytes: int, change: str, projection: str) -> int:
    """A GSI write happens when the item enters, leaves or moves in the index, or (ALL, INCLUDE) its projected
    attributes change; an update that keeps the keys of a KEYS_ONLY index writes nothing to it."""
    if change == "none":
        return 0
    whole = math.ceil(after_bytes / WRITE_UNIT_BYTES) or 1
    if change == "added":
        return whole if projection == "ALL" else 1
    if change == "removed":
        return 1
    if change == "changed":
        return 1 + (whole if projection == "ALL" else 1)
    return whole if projection == "ALL" else 0  # kept


def order_footprint(traffic: Traffic) -> OrderFootprint:
    measured = footprint()["outcomes"]
    unknown = set(measured) ^ set(OUTCOMES)
    if unknown:
        raise ValueError(f"footprint.json has outcomes the traffic profile does not weigh, or lacks some: {unknown}")
    shares = traffic.shares()
    writes = [(shares[o], write) for o in OUTCOMES for write in measured[o]["writes"]]
    records = sum(weight for weight, _ in writes)
    published = published_writes(writes)
    events = sum(weight for weight, _ in published)
    calls: dict[str, float] = {}
    for outcome in OUTCOMES:
        for function, count in measured[outcome]["lambdaCalls"].items():
            calls[function] = calls.get(function, 0.0) + shares[outcome] * count
    return OrderFootprint(
        states=sum(shares[o] * len(measured[o]["states"]) for o in OUTCOMES),
        lambda_calls=calls,
        records=records,
        events=events,
        order_records=sum(weight for weight, write in published if write["entity"] == "Order"),
        writes=writes,
        cancelled_writes=sum(shares[o] * measured[o]["cancelledWrites"] for o in OUTCOMES),
        event_bytes=sum(weight * write["eventBytes"] for weight, write in published) / events,
        stored_event_bytes=sum(weight * write["storedEventBytes"] for weight, write in published) / events,
        kept_bytes=_kept_bytes(measured, shares),
        kept_indexes=_kept_indexes(measured),
        history_bytes=sum(shares[o] * measured[o]["historyBytes"] for o in OUTCOMES),
        history_bytes_without_data=sum(shares[o] * measured[o]["historyBytesWithoutData"] for o in OUTCOMES),
    )


def _kept_indexes(measured: dict[str, Any]) -> dict[str, set[str]]:
    """The GSIs an entity's last image is in, in any outcome (a settled order leaves the sparse OpenOrders)."""
    kept: dict[str, set[str]] = {}
    for outcome in OUTCOMES:
        last = {write["entity"]: write["indexKeys"] for write in measured[outcome]["writes"]}
        for entity, indexes in last.items():
            kept.setdefault(entity, set()).update(
                i for i, change in indexes.items() if change in ("added", "kept", "changed")
            )
    return kept


def _kept_bytes(measured: dict[str, Any], shares: dict[str, float]) -> dict[str, float]:
    kept: dict[str, float] = {}
    for outcome in OUTCOMES:
        last = {write["entity"]: write["afterBytes"] for write in measured[outcome]["writes"]}
        for entity, size in last.items():
            kept[entity] = kept.get(entity, 0.0) + shares[outcome] * size
    return kept


def state_kinds(traffic: Traffic) -> dict[str, float]:
    """States entered per accepted order, by what they call (footprint.json's `stateKinds`, read from the
    definition): a Lambda task, a DynamoDB task, or neither."""
    measured, shares = footprint(), traffic.shares()
    kinds = {"lambda": 0.0, "dynamodb": 0.0, "other": 0.0}
    for outcome in OUTCOMES:
        for state in measured["outcomes"][outcome]["states"]:
            kinds[measured["stateKinds"][state]] += shares[outcome]
    return kinds
