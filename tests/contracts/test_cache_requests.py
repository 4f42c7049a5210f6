"""Every input transformer of the cache stack rendered over enriched events, as EventBridge documents the rendering.

The request the topic's API destination sends must be valid JSON with the expected fields and types, for every
event the rule matches, including an order whose text fields hold quotes, backslashes, newlines and unicode. (The
cache itself is kept by the sync function: tests/lambdas/test_cache_sync.py.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rendering.rule_input import http_parameters, render
from tests.support.events import matches
from tests.support.synth import synthesize
from tests.support.templates import construct_path, resources_of_type

Event = dict[str, Any]


def targets_by_rule(env_name: str = "dev") -> dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """rule name -> (event pattern, target, API destination)."""
    template = synthesize(env_name).template("CacheIntegration")
    destinations = resources_of_type(template, "AWS::Events::ApiDestination")
    found = {}
    for rule in resources_of_type(template, "AWS::Events::Rule").values():
        [target] = rule["Properties"]["Targets"]
        if "InputTransformer" not in target:
            continue  # the sync rule's buffer takes the event as it is
        name = construct_path(rule).split("/")[-2]
        found[name] = (rule["Properties"]["EventPattern"], target, destinations[target["Arn"]["Fn::GetAtt"][0]])
    return found


def request(rule: str, event: Event) -> dict[str, Any]:
    _, target, destination = targets_by_rule()[rule]
    body = render(target["InputTransformer"], event)
    return {
        "method": destination["Properties"]["HttpMethod"],
        "url": destination["Properties"]["InvocationEndpoint"],
        "query": http_parameters(target.get("HttpParameters", {}), event).get("QueryStringParameters", {}),
        "body": json.loads(body),  # raises if EventBridge would send invalid JSON
    }


def matched(rule: str, bus_events: dict[str, Event]) -> dict[str, Event]:
    pattern = targets_by_rule()[rule][0]
    return {name: event for name, event in bus_events.items() if matches(pattern, event)}


def test_every_rule_has_a_transformer_and_matches_something(bus_events: dict[str, Event]) -> None:
    assert set(targets_by_rule()) == {"OrderTopicRule"}
    for rule in targets_by_rule():
        assert matched(rule, bus_events), rule


def test_quotes_and_unicode_survive_the_transformer(bus_events: dict[str, Event]) -> None:
    topic = request("OrderTopicRule", bus_events["order_insert_quotes_unicode"])
    assert topic["body"]["correlationId"] == "req-ü\n\t</script>"


def test_topic_publish_carries_the_change_type_even_for_a_deleted_order(bus_events: dict[str, Event]) -> None:
    changes = set()
    for event in matched("OrderTopicRule", bus_events).values():
        sent = request("OrderTopicRule", event)
        assert sent["method"] == "POST"
        assert sent["url"].endswith("/topics/orders-dev/order-changes")
        assert sent["query"] == {}
        assert set(sent["body"]) == {"orderId", "change", "detailType", "occurredAt", "eventId", "correlationId"}
        assert sent["body"]["detailType"] == event["detail-type"]
        changes.add(sent["body"]["change"])
    assert changes == {"INSERT", "MODIFY", "REMOVE"}


def test_a_template_that_read_the_data_of_a_deleted_order_would_break(bus_events: dict[str, Event]) -> None:
    """Why the topic message uses metadata only: a missing path leaves nothing behind, and the JSON breaks."""
    transformer = {"InputPathsMap": {"status": "$.detail.data.status"}, "InputTemplate": '{"status":<status>}'}
    with pytest.raises(json.JSONDecodeError):
        json.loads(render(transformer, bus_events["order_remove_by_user"]))


def test_replays_reach_no_destination(bus_events: dict[str, Event]) -> None:
    replays = {name: event for name, event in bus_events.items() if "replay-name" in event}
    for rule in targets_by_rule():
        assert not matched(rule, replays), rule
