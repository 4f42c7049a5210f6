"""Stream-record fixtures, their envelopes, bus events built from them, and EventBridge pattern matching.

Matching uses moto's EventBridge pattern engine (the one behind moto's rules), not a hand-written matcher.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from moto.events.models import EventPattern

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders-dev-Data-TableCD117FA1-1A2B3C4D5E6F"
ACCOUNT = "123456789012"


def stream_record_names() -> list[str]:
    return sorted(path.stem for path in (FIXTURES / "stream_records").glob("*.json"))


def stream_record(name: str) -> dict[str, Any]:
    return _load(FIXTURES / "stream_records" / f"{name}.json")


def expected_envelope(name: str) -> dict[str, Any] | None:
    path = FIXTURES / "envelopes" / f"{name}.json"
    return _load(path) if path.exists() else None


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def bus_event(envelope: dict[str, Any], *, replay_name: str | None = None) -> dict[str, Any]:
    """The event the pipe puts on the bus for one enriched element (source/detail-type read from its metadata)."""
    event: dict[str, Any] = {
        "version": "0",
        "id": f"evt-{envelope['metadata']['eventId']}",
        "detail-type": envelope["metadata"]["detailType"],
        "source": envelope["metadata"]["source"],
        "account": ACCOUNT,
        "time": "2026-11-22T10:00:00Z",
        "region": "eu-west-1",
        "resources": [TABLE_ARN],
        "detail": envelope,
    }
    if replay_name:
        event["replay-name"] = replay_name
    return event


@cache
def _compiled(pattern_json: str) -> EventPattern:
    return EventPattern.load(pattern_json)


def matches(pattern: dict[str, Any] | str, event: dict[str, Any]) -> bool:
    pattern_json = pattern if isinstance(pattern, str) else json.dumps(pattern, sort_keys=True)
    return _compiled(pattern_json).matches_event(event)  # type: ignore[arg-type]
