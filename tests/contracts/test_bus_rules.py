"""Every rule pattern of every synthesized template against every enriched event, replays included.

Each rule on the bus must have its contract here: a new rule without one fails `test_every_rule_has_a_contract`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stacks.config import EnvironmentConfig
from tests.support.events import bus_event, matches
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import construct_path, resources_of_type

Event = dict[str, Any]


def is_replay(event: Event) -> bool:
    return "replay-name" in event


def published_here(event: Event, config: EnvironmentConfig, region: str) -> bool:
    """With a standby region, each region acts only on what its own stream pipe published."""
    return config.secondary_region is None or event["detail"]["metadata"]["originRegion"] == region


def is_new_order(event: Event, config: EnvironmentConfig, region: str) -> bool:
    return event["detail-type"] == "OrderCreated" and not is_replay(event) and published_here(event, config, region)


def is_live_order_change(event: Event, config: EnvironmentConfig, region: str, *detail_types: str) -> bool:
    return event["detail-type"] in detail_types and not is_replay(event) and published_here(event, config, region)


def total(event: Event) -> int:
    return int(event["detail"]["data"]["totalMinor"])


# Contract per rule, by construct path below the stack: which bus events it must match in a region of an environment.
Contract = Callable[[Event, EnvironmentConfig, str], bool]
RULE_CONTRACTS: dict[str, Contract] = {
    # Replays too (the store dedupes); with a standby, each region records what it published (and foreign events).
    "EventFabric/EventLogRule": published_here,
    "EventStore/EveryEventRule": published_here,
    "Workflows/OrderCreatedRule": is_new_order,
    "Workflows/HighValueOrderRule": lambda event, config, region: (
        is_new_order(event, config, region) and total(event) > config.workflow.high_value_order_threshold_minor
    ),
    # Every live order change: the sync caches the order as the table holds it (one without a status is not cached).
    "CacheIntegration/OrderCacheSyncRule": lambda event, config, region: is_live_order_change(
        event, config, region, "OrderCreated", "OrderUpdated", "OrderDeleted"
    ),
    "CacheIntegration/OrderTopicRule": lambda event, config, region: is_live_order_change(
        event, config, region, "OrderCreated", "OrderUpdated", "OrderDeleted"
    ),
}


def bus_rules(env_name: str, standby: bool = False) -> dict[str, dict[str, Any]]:
    """The rules on one region's bus, by `<component>/<construct path>` (a schedule, on no bus, is not one)."""
    app = synthesize(env_name)
    rules = {}
    for component in app.components(standby=standby):
        template = app.standby_template(component) if standby else app.template(component)
        for rule in resources_of_type(template, "AWS::Events::Rule").values():
            if "ScheduleExpression" in rule["Properties"]:
                continue
            _, _, path = construct_path(rule).removesuffix("/Resource").partition("/")
            rules[f"{component}/{path}"] = rule
    return rules


def regions(env_name: str) -> list[tuple[bool, str]]:
    config = synthesize(env_name).config
    return [(False, str(config.region)), *([(True, config.secondary_region)] if config.secondary_region else [])]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_rule_has_a_contract(env_name: str) -> None:
    for standby, _ in regions(env_name):
        assert set(bus_rules(env_name, standby)) == set(RULE_CONTRACTS)


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_rule_patterns_match_exactly_their_contract(
    env_name: str, bus_events_of_both_regions: dict[str, Event]
) -> None:
    """In prod, in both regions: a change acts once, in the region whose pipe published it; the event store and
    the log take every copy."""
    config = synthesize(env_name).config
    mismatches = []
    for standby, region in regions(env_name):
        for rule_path, rule in bus_rules(env_name, standby).items():
            pattern = rule["Properties"]["EventPattern"]
            for event_name, event in bus_events_of_both_regions.items():
                expected = RULE_CONTRACTS[rule_path](event, config, region)
                if matches(pattern, event) is not expected:
                    mismatches.append(
                        f"{region} {rule_path} {'should' if expected else 'should not'} match {event_name}"
                    )
    assert mismatches == []


def test_each_change_acts_in_exactly_one_region(bus_events_of_both_regions: dict[str, Event]) -> None:
    """A change and its replicated copy reach both regions' buses; an acting rule that wants the change matches it
    in exactly one region, the one whose pipe published it."""
    config = synthesize("prod").config
    acting = [path for path in RULE_CONTRACTS if not path.startswith(("EventFabric/", "EventStore/"))]
    for event_name, event in bus_events_of_both_regions.items():
        if is_replay(event):
            continue
        origin = event["detail"]["metadata"]["originRegion"]
        for path in acting:
            matched_in = [
                region for standby, region in regions("prod")
                if matches(bus_rules("prod", standby)[path]["Properties"]["EventPattern"], event)
            ]  # fmt: skip
            wanted = RULE_CONTRACTS[path](event, config, origin)
            assert matched_in == ([origin] if wanted else []), f"{path} acts on {event_name} in {matched_in}"


def test_archive_keeps_every_event(bus_events: dict[str, Event]) -> None:
    [archive] = resources_of_type(synthesize("dev").template("EventFabric"), "AWS::Events::Archive").values()
    assert all(matches(archive["Properties"]["EventPattern"], event) for event in bus_events.values())


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_high_value_rule_compares_the_amount_as_a_number_at_its_threshold(env_name: str) -> None:
    threshold = synthesize(env_name).config.workflow.high_value_order_threshold_minor
    pattern = bus_rules(env_name)["Workflows/HighValueOrderRule"]["Properties"]["EventPattern"]
    metadata = {"eventId": "e", "source": "orders.table", "detailType": "OrderCreated", "originRegion": "eu-west-1"}
    event = bus_event({"metadata": metadata, "data": {}})
    for amount, expected in ((threshold, False), (threshold + 1, True), (threshold * 10, True), (1, False)):
        event["detail"]["data"]["totalMinor"] = amount
        assert matches(pattern, event) is expected, amount
    event["detail"]["data"]["totalMinor"] = str(threshold * 10)  # a number sent as a string would never match
    assert not matches(pattern, event)


def test_with_a_standby_region_both_regions_record_a_foreign_producers_event() -> None:
    """An event without the envelope (no `originRegion`) reaches the recorders of whichever region receives it."""
    foreign = {"version": "0", "id": "f-1", "detail-type": "Invoice", "source": "billing.app", "account": "1",
               "time": "2026-12-06T10:00:00Z", "region": "eu-west-1", "resources": [],
               "detail": {"amount": 1}}  # fmt: skip
    for standby, _ in regions("prod"):
        rules = bus_rules("prod", standby)
        for recorder in ("EventFabric/EventLogRule", "EventStore/EveryEventRule"):
            assert matches(rules[recorder]["Properties"]["EventPattern"], foreign), (standby, recorder)
