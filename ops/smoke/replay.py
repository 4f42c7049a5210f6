"""The replay hop: an event the store lost comes back from the archive; the workflow and the cache ignore replays."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ops.event_store.replay import start_replay
from ops.smoke.trace import HopFailed

if TYPE_CHECKING:
    from ops.smoke.scenario import Scenario

REPLAY_WINDOW_BEFORE_RUN = timedelta(minutes=5)


def replay(scenario: Scenario) -> None:
    trace, observe = scenario.trace, scenario.observe
    o5 = scenario.order_id("o5")
    lost = scenario.stored(o5, "OrderCreated")
    if lost is None:
        raise HopFailed(f"replay: no OrderCreated of {o5} to lose")
    client, bus_arn, archive_arn = observe.bus.client, observe.bus.arn, observe.bus.archive_arn
    observe.events.remove(lost)
    runs_before = len(observe.workflow.for_order(o5)) if observe.workflow.listable() else None
    started_at = time.time()
    name = f"{scenario.data.run_id}-replay"
    try:
        start_replay(
            client,
            name=name,
            archive_arn=archive_arn,
            bus_arn=bus_arn,
            rule_arns=_rules_of(client, bus_arn),
            start=datetime.now(UTC) - REPLAY_WINDOW_BEFORE_RUN,
            end=datetime.now(UTC),
        )
    except client.exceptions.ClientError as error:
        trace.skip("archive -> replay -> event store", f"this environment cannot replay: {error}")
        return
    trace.wait_for(
        "archive replay runs",
        lambda: _finished(client, name),
        lambda state: f"replay {name} {state}",
        "the replay COMPLETED",
    )
    trace.wait_for(
        "replay -> event store restores a lost event",
        lambda: _restored(scenario, o5, name),
        lambda event: f"OrderCreated {event.event_id} back, replay-name {event.replay_name}",
        "the lost OrderCreated, stored from the replay",
    )
    trace.holds_for(
        "replay -> neither workflow nor cache",
        lambda: _side_effect(scenario, runs_before, started_at),
        3.0,
        "no new execution, cache still SHIPPED, no request to Momento",
    )


def _rules_of(client: Any, bus_arn: str) -> list[str]:
    """Every rule of the bus: each decides for itself whether a replay concerns it (FilterArns)."""
    rules = client.list_rules(EventBusName=bus_arn.rsplit("/", 1)[-1])["Rules"]
    return [rule["Arn"] for rule in rules]


def _finished(client: Any, name: str) -> str | None:
    state = str(client.describe_replay(ReplayName=name)["State"])
    if state in ("FAILED", "CANCELLED"):
        raise HopFailed(f"archive replay runs: replay {name} ended {state}")
    return state if state == "COMPLETED" else None


def _restored(scenario: Scenario, order_id: str, replay_name: str) -> Any:
    event = scenario.stored(order_id, "OrderCreated")
    return event if event is not None and event.replay_name == replay_name else None


def _side_effect(scenario: Scenario, runs_before: int | None, since: float) -> str | None:
    o5 = scenario.order_id("o5")
    if runs_before is not None and len(scenario.observe.workflow.for_order(o5)) != runs_before:
        return "the replayed OrderCreated started the workflow"
    cached = scenario.observe.cache.get(o5) or {}
    if cached.get("status") != "SHIPPED":
        return f"the cache now holds {o5} as {cached.get('status')}: a replay reached the cache rule"
    requests = scenario.observe.requests
    if requests is not None:
        late = [e for name in ("o2", "o3", "o5") for e in requests.about(scenario.order_id(name), since=since)]
        if late:
            first = f"{late[0]['method']} {late[0]['path']}"
            return f"Momento received {len(late)} requests after the replay started, first {first}"
    return None
