"""Enriched events for contract tests: every publishable fixture through the real enrichment, plus replayed copies."""

from __future__ import annotations

from typing import Any

import pytest

from lambdas.enrichment.envelope import RejectedRecordError, envelope
from tests.support.events import bus_event, stream_record, stream_record_names


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
