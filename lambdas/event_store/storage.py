"""One bus event into the store: stored once; a duplicate delivery or an archive replay is counted, not an error;
an event without our envelope is stored under a fallback key; a message that is not an event raises."""

from __future__ import annotations

from lambdas.event_store.repository import StoredEvents
from lambdas.event_store.stored_event import MalformedEvent, stored_event
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger


def store(message_id: str, body: str, events: StoredEvents, retention_days: int | None) -> str:
    try:
        item, enveloped = stored_event(body, retention_days)
    except MalformedEvent as error:
        logger.error("Not an event; it will be retried, then dead-lettered", extra={
            "messageId": message_id, "reason": str(error)})  # fmt: skip
        raise
    if not enveloped:
        logger.warning("Stored a foreign event under its fallback key", extra={"eventId": item["eventId"]["S"]})
        count(Metric.FOREIGN_EVENTS)
    try:
        stored = events.put_once(item)
    except Exception as error:
        logger.warning("Event not stored; it will be retried", extra={"messageId": message_id, "error": str(error)})
        raise
    if not stored:
        count(Metric.DUPLICATE_EVENTS)
        return "duplicate"
    count(Metric.EVENTS_STORED)
    return "stored"
