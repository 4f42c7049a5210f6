"""What the cost model prices from, besides the templates: the traffic profile, the assumptions printed with every
result, the list prices (prices.json) and what one order causes (footprint.json, kept true by the workflow tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Traffic:
    orders_per_month: int = 1_000_000
    distinct_products_per_order: int = 2
    share_rejected_at_intake: float = 0.01
    share_invalid: float = 0.02
    share_backordered: float = 0.03
    share_high_value: float = 0.01
    event_kb: float = 2.0  # an order event carries the item before and after
    order_item_kb: float = 0.9
    stored_event_kb: float = 2.5  # the event store keeps the whole event and its keys


@dataclass(frozen=True)
class Assumptions:
    lambda_ms: tuple[tuple[str, float], ...] = (
        ("enrichment", 20), ("customer_snapshot", 15), ("intake", 40), ("event_store", 40),
        ("process_order", 30), ("ship_order", 25),
    )  # per invocation, warm  # fmt: skip
    express_seconds_per_execution: float = 1.0
    express_memory_gb: float = 0.0625  # the 64 MB billing chunk
    log_kb_per_invocation: tuple[tuple[str, float], ...] = (
        ("DEBUG", 4.0),
        ("INFO", 1.0),
        ("WARN", 0.4),
        ("ERROR", 0.4),
    )
    workflow_log_kb_per_state: tuple[tuple[str, float], ...] = (
        ("ALL", 1.2),
        ("ERROR", 0.0),
        ("FATAL", 0.0),
        ("OFF", 0.0),
    )
    workflow_data_factor: float = 3.0  # execution data in the logs triples their size
    pipe_log_kb_per_request: tuple[tuple[str, float], ...] = (
        ("TRACE", 2.0),
        ("INFO", 0.5),
        ("ERROR", 0.0),
        ("OFF", 0.0),
    )
    log_storage_compression: float = 0.15  # stored size over ingested size
    stream_polls_per_second: float = 4.0  # per shard, one shard
    custom_metrics: int = 12
    xray_reservoir_per_second: float = 1.0
    xray_sampled_share: float = 0.05
    alarm_notifications_per_month: int = 100  # per topic: alarm state changes, both ways


def prices() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "prices.json").read_text())
    return loaded


def footprint() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "footprint.json").read_text())
    return loaded


def order_footprint(traffic: Traffic) -> dict[str, float]:
    """Per accepted order, weighted over outcomes: transitions, Lambda calls, writes, stream records."""
    measured = footprint()
    shares = {"invalid": traffic.share_invalid, "backordered": traffic.share_backordered}
    shares["shipped"] = 1 - sum(shares.values())
    totals: dict[str, float] = {"transitions": 0, "process_order": 0, "ship_order": 0, "orderWrites": 1,
                                "productWrites": 0, "shipmentWrites": 0, "transactionalItems": 0}  # fmt: skip
    for outcome, share in shares.items():
        run = measured["outcomes"][outcome]
        totals["transitions"] += share * len(run["states"])
        for function, calls in run["lambdaCalls"].items():
            totals[function] += share * calls
        for state in run["states"]:
            writes = measured["writesByState"].get(state, {})
            products = writes.get("productPerDistinctSku", 0) * traffic.distinct_products_per_order
            totals["orderWrites"] += share * writes.get("order", 0)
            totals["productWrites"] += share * products
            totals["shipmentWrites"] += share * writes.get("shipment", 0)
            if writes.get("transactional"):
                totals["transactionalItems"] += share * (writes.get("order", 0) + products)
    totals["streamRecords"] = totals["orderWrites"] + totals["productWrites"] + totals["shipmentWrites"]
    totals["orderEvents"] = totals["orderWrites"]
    return totals
