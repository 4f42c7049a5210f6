"""Each counted quantity beside the cost model's figure for the run's own traffic, priced by the model's own code."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from devtools.cost.deployed_settings import RegionSettings
from devtools.cost.inputs import (
    SECONDS_PER_MONTH,
    OrderFootprint,
    Traffic,
    batch_sizes,
    order_footprint,
    records_per_batch,
)
from devtools.cost.item_sizes import WRITE_UNIT_BYTES, item_bytes
from local_cloud.cost_check.counted_run import CountedRun
from local_cloud.cost_check.effects import RunEffects

TOLERANCE = 0.10
SETTLING_SECONDS = 25  # the event store's batching window (20 s) and the last topic publishes


@dataclass(frozen=True)
class Compared:
    quantity: str
    counted: float
    modelled: float

    @property
    def difference(self) -> float:
        return abs(self.counted - self.modelled) / self.modelled if self.modelled else float(self.counted != 0)


def compare(check: CountedRun, settings: RegionSettings) -> tuple[list[Compared], list[dict[str, Any]]]:
    """The comparison, and the stored events it counted (for their sizes)."""
    check.wait_settled(timeout=600)
    time.sleep(SETTLING_SECONDS)
    run, effects = check.run, RunEffects(check.cloud, check.app, check.run)
    accepted = len(run.accepted)
    rate = len(run.sent) / run.seconds_sending
    traffic = Traffic(orders_per_month=round(rate * SECONDS_PER_MONTH))
    per = order_footprint(traffic)
    writes, stored = effects.stream_writes(), effects.stored_events()
    runs, states = effects.executions()
    batches = effects.batches()
    projections = settings.orders_table.index_projections if settings.orders_table else {}
    store_indexes = list(settings.event_store_table.index_projections.values())
    events_per_second = rate * (1 - traffic.share_rejected_at_intake) * per.records
    return [
        Compared("bus events per accepted order", len(stored) / accepted, per.events),
        Compared("stream records per accepted order", len(writes) / accepted, per.records),
        Compared("table write units per accepted order (cancelled reservations apart)",
                 _priced_like_the_model(writes).table_write_units(projections),
                 per.table_write_units(projections) - 2 * per.cancelled_writes),
        Compared("event-store write units per event",
                 sum(math.ceil(item_bytes(i) / WRITE_UNIT_BYTES) + len(store_indexes) for i in stored)
                 / max(1, len(stored)), per.stored_event_write_units(store_indexes)),
        Compared("API destination calls per accepted order", effects.api_calls() / accepted, per.order_records),
        Compared("workflow executions per accepted order", runs / accepted, 1.0),
        Compared("states entered per execution", sum(states.values()) / max(1, runs), per.states),
        Compared("ProcessOrder calls per accepted order", states["ProcessOrder"] / accepted,
                 per.lambda_calls["process_order"]),
        Compared("ShipOrder calls per accepted order", states["ShipOrder"] / accepted,
                 per.lambda_calls["ship_order"]),
        Compared("stream records per enrichment batch", _mean(batches["stream"]),
                 records_per_batch(events_per_second, settings.stream.window_seconds, settings.stream.batch_size)),
        # The model's batching applied to the times the run sent at (its formula is the mean at a steady rate)
        Compared("intake messages per batch", _mean(batches["intake"]),
                 _mean(batch_sizes(run.sent_at, settings.intake.window_seconds, settings.intake.batch_size))),
    ], stored  # fmt: skip


def _priced_like_the_model(writes: list[tuple[float, dict[str, Any]]]) -> OrderFootprint:
    """The run's writes in the model's own shape, so both sides are priced by the same code."""
    records = sum(w for w, _ in writes)
    return OrderFootprint(states=0, lambda_calls={}, records=records, events=0, order_records=0, writes=writes,
                          cancelled_writes=0, event_bytes=0, stored_event_bytes=0, kept_bytes={}, kept_indexes={},
                          history_bytes=0, history_bytes_without_data=0)  # fmt: skip


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0
