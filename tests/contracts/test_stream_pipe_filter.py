"""Every filter of the synthesized stream pipe against every raw stream-record fixture."""

from __future__ import annotations

import json

import pytest

from tests.support.events import matches, stream_record, stream_record_names
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import resource_at

FILTERED_OUT = {"order_remove_ttl_expiry", "unknown_prefix_insert"}


def pipe_filters(env_name: str) -> list[str]:
    _, pipe = resource_at(synthesize(env_name).template("EventFabric"), "StreamPipe/Pipe")
    return [f["Pattern"] for f in pipe["Properties"]["SourceParameters"]["FilterCriteria"]["Filters"]]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
@pytest.mark.parametrize("name", stream_record_names())
def test_filter_passes_entities_and_drops_ttl_expiry_and_unknown_kinds(env_name: str, name: str) -> None:
    record = stream_record(name)
    passed = any(matches(pattern, record) for pattern in pipe_filters(env_name))
    assert passed is (name not in FILTERED_OUT)


def test_a_user_remove_of_every_entity_passes_and_its_ttl_expiry_does_not() -> None:
    filters = pipe_filters("dev")
    for prefix in ("ORDER#", "CUSTOMER#", "PRODUCT#"):
        record = stream_record("order_remove_by_user")
        record["dynamodb"]["Keys"]["pk"]["S"] = f"{prefix}x-1"
        assert any(matches(pattern, record) for pattern in filters), prefix
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
        assert not any(matches(pattern, record) for pattern in filters), prefix


def test_a_prefix_without_its_separator_is_not_an_entity() -> None:
    record = stream_record("order_insert")
    record["dynamodb"]["Keys"]["pk"]["S"] = "ORDERS-archive"
    assert not any(matches(json.loads(p), record) for p in pipe_filters("dev"))
