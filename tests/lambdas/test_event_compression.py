"""The event store's compression: a frozen preset dictionary, and items of every format still read."""

from __future__ import annotations

import hashlib
import json
import zlib

import pytest

from event_contract.examples import example_event
from event_contract.schemas import DETAIL_TYPES, DetailType
from lambdas.event_store.stored_event import stored_event
from lambdas.shared.event_compression import CURRENT_DICTIONARY, body_attribute, dictionary_file
from ops.event_store.queries import StoredEvent

# Items written with a dictionary are read with it for as long as they are kept: a changed file is a new version.
FROZEN = {1: "cf21213b7a029666fbed410517138b751adab40a2f9f7d8c37c92872da4f3956"}


@pytest.mark.parametrize("version", FROZEN)
def test_a_dictionary_never_changes(version: int) -> None:
    assert hashlib.sha256(dictionary_file(version).read_bytes()).hexdigest() == FROZEN[version]


def test_the_writer_uses_the_newest_dictionary() -> None:
    assert max(FROZEN) == CURRENT_DICTIONARY


def _body(detail_type: DetailType) -> str:
    return json.dumps(example_event(detail_type), separators=(",", ":"))


@pytest.mark.parametrize("detail_type", DETAIL_TYPES, ids=lambda d: d.name)
def test_items_written_now_and_before_any_dictionary_read_back_alike(detail_type: DetailType) -> None:
    body = _body(detail_type)
    now, _ = stored_event(body, None)
    before = {name: value for name, value in now.items() if name != body_attribute(CURRENT_DICTIONARY)}
    before["rawZ"] = {"B": zlib.compress(body.encode(), level=9)}
    assert StoredEvent.from_item(now).raw == StoredEvent.from_item(before).raw == json.loads(body)
