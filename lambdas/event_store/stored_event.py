"""A bus event (the SQS message body the catch-all rule delivered) -> the event store item."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from lambdas.shared.event_compression import compressed
from lambdas.shared.event_store_keys import (
    AGGREGATE,
    BY_DAY,
    EVENT_KEY,
    FOREIGN_ENTITY,
    TTL_ATTRIBUTE,
    aggregate_of,
    day_of,
    event_key,
    shard_of,
)


class MalformedEvent(ValueError):
    """Not an EventBridge event at all: reported as a batch item failure, retried, then dead-lettered."""


def stored_event(body: str, retention_days: int | None) -> tuple[dict[str, Any], bool]:
    """(the item in DynamoDB JSON, whether the event had our envelope). The raw body is kept verbatim, compressed;
    what else the item has is what the queries need as attributes (the rest is in the body), so that an event of
    the app's usual size is one write unit (decision 27)."""
    try:
        event = json.loads(body)
    except ValueError as error:
        raise MalformedEvent(f"message body is not JSON: {error}") from None
    if not isinstance(event, dict) or not all(isinstance(event.get(k), str) for k in ("id", "detail-type", "source")):
        raise MalformedEvent("message body is not an EventBridge event (needs string id, detail-type and source)")

    metadata = _envelope_metadata(event)
    if metadata is not None:
        event_id = metadata["eventId"]
        occurred_at = metadata["occurredAt"]
        aggregate = aggregate_of(metadata["entity"], str(metadata["entityId"]))
    else:  # a foreign producer's event: still stored, under a key derived from the EventBridge event id
        event_id = f"eb-{event['id']}"
        occurred_at = _event_time_ms(event)
        aggregate = aggregate_of(FOREIGN_ENTITY, event["source"])

    key = event_key(occurred_at, event_id)
    shard = shard_of(event_id)
    item: dict[str, Any] = {
        AGGREGATE: {"S": aggregate},
        EVENT_KEY: {"S": key},
        BY_DAY[1]: {"S": f"{day_of(occurred_at)}#{shard}"},
        "eventId": {"S": event_id},
        "occurredAt": {"N": str(occurred_at)},
        "detailType": {"S": event["detail-type"]},
    }
    attribute, data = compressed(body)
    item[attribute] = {"B": data}
    if "replay-name" in event:
        item["replayName"] = {"S": str(event["replay-name"])}
    if retention_days is not None:
        item[TTL_ATTRIBUTE] = {"N": str(occurred_at // 1000 + retention_days * 86_400)}
    return item, metadata is not None


def _envelope_metadata(event: dict[str, Any]) -> dict[str, Any] | None:
    detail = event.get("detail")
    metadata = detail.get("metadata") if isinstance(detail, dict) else None
    if not isinstance(metadata, dict):
        return None
    complete = (
        isinstance(metadata.get("eventId"), str)
        and isinstance(metadata.get("entity"), str)
        and metadata.get("entityId") not in (None, "")
        and isinstance(metadata.get("occurredAt"), int)
    )
    return metadata if complete else None


def _event_time_ms(event: dict[str, Any]) -> int:
    try:
        return int(datetime.fromisoformat(str(event.get("time", "")).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        raise MalformedEvent(f"event {event['id']} has no usable time: {event.get('time')!r}") from None
