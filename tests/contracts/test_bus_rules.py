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


def is_new_order(event: Event) -> bool:
    return event["detail-type"] == "OrderCreated" and not is_replay(event)


def is_live_order_change(event: Event, *detail_types: str) -> bool:
    return event["detail-type"] in detail_types and not is_replay(event)


def total(event: Event) -> int:
    return int(event["detail"]["data"]["totalMinor"])


# Contract per rule, by construct path below the stack: which bus events it must match in an environment.
RULE_CONTRACTS: dict[str, Callable[[Event, EnvironmentConfig], bool]] = {
    "EventFabric/EventLogRule": lambda event, config: True,
    "EventStore/EveryEventRule": lambda event, config: True,  # replays too: the store dedupes them
    "Workflows/OrderCreatedRule": lambda event, config: is_new_order(event),
    "Workflows/HighValueOrderRule": lambda event, config: (
        is_new_order(event) and total(event) > config.workflow.high_value_order_threshold_minor
    ),
    "CacheIntegration/OrderCacheSetRule": lambda event, config: is_live_order_change(
        event, "OrderCreated", "OrderUpdated"
    ),
    "CacheIntegration/OrderCacheDeleteRule": lambda event, config: is_live_order_change(event, "OrderDeleted"),
    "CacheIntegration/OrderTopicRule": lambda event, config: is_live_order_change(
        event, "OrderCreated", "OrderUpdated", "OrderDeleted"
    ),
}


def bus_rules(env_name: str) -> dict[str, dict[str, Any]]:
    rules = {}
    for stack_name, template in synthesize(env_name).templates.items():
        component = stack_name.removeprefix(f"Orders-{env_name}-")
        for rule in resources_of_type(template, "AWS::Events::Rule").values():
            path = construct_path(rule).removeprefix(f"{stack_name}/").removesuffix("/Resource")
            rules[f"{component}/{path}"] = rule
    return rules


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_rule_has_a_contract(env_name: str) -> None:
    assert set(bus_rules(env_name)) == set(RULE_CONTRACTS)


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_rule_patterns_match_exactly_their_contract(env_name: str, bus_events: dict[str, Event]) -> None:
    config = synthesize(env_name).config
    mismatches = []
    for rule_path, rule in bus_rules(env_name).items():
        pattern = rule["Properties"]["EventPattern"]
        for event_name, event in bus_events.items():
            expected = RULE_CONTRACTS[rule_path](event, config)
            if matches(pattern, event) is not expected:
                mismatches.append(f"{rule_path} {'should' if expected else 'should not'} match {event_name}")
    assert mismatches == []


def test_archive_keeps_every_event(bus_events: dict[str, Event]) -> None:
    [archive] = resources_of_type(synthesize("dev").template("EventFabric"), "AWS::Events::Archive").values()
    assert all(matches(archive["Properties"]["EventPattern"], event) for event in bus_events.values())


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_high_value_rule_compares_the_amount_as_a_number_at_its_threshold(env_name: str) -> None:
    threshold = synthesize(env_name).config.workflow.high_value_order_threshold_minor
    pattern = bus_rules(env_name)["Workflows/HighValueOrderRule"]["Properties"]["EventPattern"]
    event = bus_event(
        {"metadata": {"eventId": "e", "source": "orders.table", "detailType": "OrderCreated"}, "data": {}}
    )
    for amount, expected in ((threshold, False), (threshold + 1, True), (threshold * 10, True), (1, False)):
        event["detail"]["data"]["totalMinor"] = amount
        assert matches(pattern, event) is expected, amount
    event["detail"]["data"]["totalMinor"] = str(threshold * 10)  # a number sent as a string would never match
    assert not matches(pattern, event)
