"""Replay an archive window onto the bus, delivered only to the chosen rules (EventBridge's FilterArns)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def start_replay(
    client: Any, *, name: str, archive_arn: str, bus_arn: str, rule_arns: list[str], start: datetime, end: datetime
) -> dict[str, Any]:
    if not rule_arns:
        raise ValueError("name at least one rule: a replay to every rule would repeat side effects")
    if end <= start:
        raise ValueError(f"the window is empty: {start.isoformat()} is not before {end.isoformat()}")
    response: dict[str, Any] = client.start_replay(
        ReplayName=name,
        EventSourceArn=archive_arn,
        EventStartTime=start,
        EventEndTime=end,
        Destination={"Arn": bus_arn, "FilterArns": rule_arns},
    )
    return response
