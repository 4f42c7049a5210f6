"""Orders through intake: the happy path hop by hop, the business outcomes, a rejection, the high-value review."""

from __future__ import annotations

from typing import Any

from ops.smoke.scenario import Scenario
from ops.smoke.trace import HopFailed


def happy_path(run: Scenario) -> None:
    o1, table, trace = run.order_id("o1"), run.observe.table, run.trace
    trace.wait_for(
        "intake queue -> pipe -> intake Lambda -> table",
        lambda: table.order(o1),
        lambda _: f"{o1} written",
        "the order item",
    )

    def snapshot() -> dict[str, Any] | None:
        found = (table.order(o1) or {}).get("customer")
        return found if isinstance(found, dict) and found.get("customerId") == run.data.customer_id else None

    trace.wait_for(
        "... with its customer's snapshot (pipe enrichment)",
        snapshot,
        lambda found: f"{found['name']} <{found['email']}>",
        "the customer's snapshot on the order",
    )
    trace.wait_for(
        "table stream -> pipe -> bus -> event store",
        lambda: run.stored(o1, "OrderCreated"),
        lambda event: f"OrderCreated {event.event_id} stored",
        "OrderCreated in the event store",
    )
    run.wait_status("bus -> OrderCreated rule -> workflow", "o1", "SHIPPED")
    reserved = {"p1": 8, "p2": 4}
    trace.wait_for(
        "workflow -> CheckInventory (stock reserved)",
        lambda: reserved if run.stock_problem(reserved) is None else None,
        lambda stock: f"stock now {stock}",
        f"stock {reserved}",
        lambda: str(run.stocks(reserved)),
    )
    trace.wait_for(
        "workflow -> ShipOrder, MarkShipped (shipment on the order)",
        lambda: table.shipment(o1),
        lambda item: f"{item['shipmentId']} booked {item['shippedAt']}",
        "a shipment",
    )


def business_outcomes(run: Scenario) -> None:
    run.wait_status("order for more stock than exists", "o2", "BACKORDERED")
    run.trace.holds_for("backorder reserves nothing", lambda: run.stock_problem({"p2": 4}), 0.5, "p2 stock still 4")
    invalid = run.wait_status("order for an unknown product", "o3", "INVALID")
    if "unknown products" not in str(invalid.get("statusReason")):
        raise HopFailed(f"order for an unknown product: reason {invalid.get('statusReason')!r}")


def rejected_at_intake(run: Scenario) -> None:
    _rejected(run, "o4", "malformed message -> rejected queue")
    _rejected(run, "o6", "unknown customer -> rejected queue")


def _rejected(run: Scenario, name: str, hop: str) -> None:
    """The message of order `name` reaches the rejected queue with its reason, and no order is written."""
    message_id = run.sent[name]
    run.trace.wait_for(
        hop,
        lambda: run.observe.rejected.take(lambda body: body.get("messageId") == message_id) or None,
        lambda found: f"reason: {found[0]['reason']}",
        f"a rejection of message {message_id}",
    )
    if run.observe.table.order(run.order_id(name)) is not None:
        raise HopFailed(f"{hop}: the rejected order was written anyway")


def high_value_review(run: Scenario) -> None:
    ours = {run.order_id("o1"), run.order_id("o5")}
    run.wait_status("high-value order ships", "o5", "SHIPPED")

    def is_ours(body: dict[str, Any]) -> bool:
        return body.get("detail", {}).get("metadata", {}).get("entityId") in ours

    found = run.trace.wait_for(
        "high-value rule -> review queue",
        lambda: run.observe.review.take(is_ours) or None,
        lambda messages: f"{len(messages)} message(s), for {_ids(messages)}",
        run.order_id("o5"),
    )
    if _ids(found) != [run.order_id("o5")]:
        raise HopFailed(f"high-value rule -> review queue: expected only {run.order_id('o5')}, got {_ids(found)}")
    run.review_messages += found


def _ids(messages: list[dict[str, Any]]) -> list[str]:
    return sorted(str(m["detail"]["metadata"]["entityId"]) for m in messages)
