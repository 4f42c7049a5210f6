"""What must happen once: a redelivered OrderCreated ships nothing again, a delete is one event, every change is
stored in the event store exactly once."""

from __future__ import annotations

import json
import time
from typing import Any

from ops.smoke.scenario import EXPECTED_HISTORY, EXPECTED_STOCK, SETTLE_SECONDS, Scenario
from ops.smoke.trace import HopFailed

ALREADY_HANDLED = "AlreadyHandled"  # the workflow's end state when another execution moved the order on


def duplicate_delivery(run: Scenario) -> None:
    o1, observe = run.order_id("o1"), run.observe
    shipment = run.require(observe.table.shipment(o1), "duplicate delivery", "o1's shipment")
    created = run.require(run.stored(o1, "OrderCreated"), "duplicate delivery", "o1's OrderCreated")
    listable = observe.workflow.listable()
    runs_before = len(observe.workflow.for_order(o1)) if listable else 0
    raw = created.raw
    entry = {
        "EventBusName": observe.bus.name,
        "Source": raw["source"],
        "DetailType": raw["detail-type"],
        "Detail": json.dumps(raw["detail"]),
        "Resources": raw["resources"],
    }
    observe.bus.client.put_events(Entries=[entry])
    if listable:
        runs = run.trace.wait_for(
            "same OrderCreated again -> workflow runs again",
            lambda: _finished_runs(run, o1, runs_before + 1),
            lambda found: f"run {len(found)} ended {found[0]['status']}",
            "a second execution",
        )
        states = observe.workflow.states_entered(runs[0]["executionArn"])
        if ALREADY_HANDLED not in states:
            raise HopFailed(f"same OrderCreated again: the second run went {' -> '.join(states)}")
    else:
        run.trace.skip("same OrderCreated again -> workflow", "this workflow type's executions cannot be listed")
        time.sleep(SETTLE_SECONDS * 3)
    run.trace.holds_for(
        "... ends AlreadyHandled and ships once",
        lambda: _shipped_once(run, o1, shipment),
        SETTLE_SECONDS,
        f"one shipment ({shipment['shippedAt']}), stock unchanged, still SHIPPED",
    )


def user_delete_and_ttl(run: Scenario) -> None:
    o1 = run.order_id("o1")
    run.observe.table.delete({"pk": {"S": f"ORDER#{o1}"}, "sk": {"S": f"ORDER#{o1}"}})
    run.trace.wait_for(
        "user delete -> OrderDeleted",
        lambda: run.stored(o1, "OrderDeleted"),
        lambda event: f"OrderDeleted {event.event_id} stored",
        "OrderDeleted",
    )
    run.trace.wait_for(
        "OrderDeleted -> cache delete",
        lambda: True if run.observe.cache.get(o1) is None else None,
        lambda _: f"GET {o1} from the cache: not found",
        "a cache miss",
    )
    run.trace.skip(
        "TTL removal -> no event",
        "a TTL delete cannot be caused on demand (AWS takes up to days; MiniStack 1.5.33 removes expired items "
        "without a stream record), so the pipe's TTL filter is checked offline (tests/contracts)",
    )


def event_store_exactly_once(run: Scenario) -> None:
    expected = _expected_aggregates(run)

    def complete() -> dict[str, int] | None:
        counts = {
            f"{entity}#{entity_id}": len(run.observe.events.of(entity, entity_id)) for entity, entity_id in expected
        }
        return counts if all(counts[f"{e}#{i}"] >= len(h) for (e, i), h in expected.items()) else None

    run.trace.wait_for(
        "every event of the run -> event store",
        complete,
        lambda counts: f"{sum(counts.values())} events over {len(counts)} aggregates",
        "every expected event",
    )
    run.trace.holds_for(
        "... each exactly once, in order",
        lambda: _history_problem(run, expected),
        SETTLE_SECONDS,
        "no duplicates; statuses and stock in the expected order",
    )


def _finished_runs(run: Scenario, order_id: str, count: int) -> list[dict[str, Any]] | None:
    runs = run.observe.workflow.for_order(order_id)
    return runs if len(runs) >= count and all(r["status"] != "RUNNING" for r in runs) else None


def _shipped_once(run: Scenario, order_id: str, shipment: dict[str, Any]) -> str | None:
    now = run.observe.table.shipment(order_id)
    if now != shipment:
        return f"the shipment changed: {now}"
    if run.observe.table.status(order_id) != "SHIPPED":
        return "the order left SHIPPED"
    return run.stock_problem({"p1": 8, "p2": 4})


def _expected_aggregates(run: Scenario) -> dict[tuple[str, str], list[Any]]:
    expected: dict[tuple[str, str], list[Any]] = {
        ("Order", run.order_id(name)): history for name, history in EXPECTED_HISTORY.items()
    }
    # A product's stock-only changes are no events (schemaVersion 2): its history is its creation, at its first stock
    expected |= {("Product", run.data.id(sku)): stocks[:1] for sku, stocks in EXPECTED_STOCK.items()}
    expected[("Customer", run.data.customer_id)] = ["created"]
    return expected


def _history_problem(run: Scenario, expected: dict[tuple[str, str], list[Any]]) -> str | None:
    for (entity, entity_id), history in expected.items():
        events = run.observe.events.of(entity, entity_id)
        ids = [event.event_id for event in events]
        if len(set(ids)) != len(ids) or len(events) != len(history):
            return f"{entity} {entity_id}: {len(events)} events stored, expected {len(history)}"
        seen = [_summary(entity, event.detail.get("data")) for event in events]
        if entity in ("Order", "Product") and seen != history:
            return f"{entity} {entity_id}: events record {seen}, expected {history}"
    return None


def _summary(entity: str, data: dict[str, Any] | None) -> Any:
    if data is None:
        return None
    return data.get("stock") if entity == "Product" else data.get("status", "created")
