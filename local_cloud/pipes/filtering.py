"""Pipes' filter criteria, evaluated by the emulator's own EventBridge pattern engine (TestEventPattern).

A record passes when any filter's pattern matches it. As Pipes documents ("Event filtering in Amazon EventBridge
Pipes"), an SQS body that is JSON is filtered on as parsed JSON; other fields as they are.
"""

from __future__ import annotations

import json
from typing import Any

from rendering.pipe_records import filter_view


class FilterCriteria:
    def __init__(self, events: Any, patterns: list[str]) -> None:
        self._events = events
        self._patterns = patterns

    def passes(self, record: dict[str, Any]) -> bool:
        if not self._patterns:
            return True
        event = json.dumps(filter_view(record))
        return any(self._events.test_event_pattern(EventPattern=p, Event=event)["Result"] for p in self._patterns)
