"""Enriched events for contract tests: every publishable fixture through the real enrichment, plus replayed copies
and copies published by the standby region's pipe (as the global endpoint's replication delivers them)."""

from __future__ import annotations

from typing import Any

import pytest

from lambdas.enrichment.envelope import RejectedRecordError, envelope
from tests.support.events import bus_event, stream_record, stream_record_names
from tests.support.synth import environment_config

STANDBY_REGION = str(environment_config("prod").secondary_region)


def enriched_envelopes() -> dict[str, dict[str, Any]]:
    envelopes = {}
    for name in stream_record_names():
        try:
            envelopes[name] = envelope(stream_record(name))
        except RejectedRecordError:
            continue
    return envelopes


@pytest.fixture(scope="session")
def bus_events() -> dict[str, dict[str, Any]]:
    """By name; `<name>+replay` is the same event as an archive replay delivers it (with `replay-name`)."""
    events: dict[str, dict[str, Any]] = {}
    for name, enriched in enriched_envelopes().items():
        events[name] = bus_event(enriched)
        events[f"{name}+replay"] = bus_event(enriched, replay_name="replay-2026-11-22")
    return events


@pytest.fixture(scope="session")
def bus_events_of_both_regions(bus_events: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`bus_events` plus `<name>+from-<region>`: the same change published by the standby region's stream pipe, as
    the global endpoint's replication delivers it to both buses (the fixtures' records are from eu-west-1)."""
    events = dict(bus_events)
    for name, enriched in enriched_envelopes().items():
        elsewhere = {**enriched, "metadata": {**enriched["metadata"], "originRegion": STANDBY_REGION}}
        events[f"{name}+from-{STANDBY_REGION}"] = bus_event(elsewhere)
    return events
