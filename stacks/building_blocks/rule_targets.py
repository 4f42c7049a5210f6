"""The retry policy every EventBridge rule target uses (each target also gets its own DLQ)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs

# EventBridge's default is 185 attempts over 24 hours; a bounded policy surfaces a broken target within hours.
TARGET_RETRY_ATTEMPTS = 8
TARGET_MAX_EVENT_AGE = Duration.hours(6)


def reliable_target_options(dead_letter_queue: sqs.IQueue) -> dict[str, Any]:
    """Keyword arguments for any aws_events_targets target: a DLQ and a bounded retry policy."""
    return {
        "dead_letter_queue": dead_letter_queue,
        "retry_attempts": TARGET_RETRY_ATTEMPTS,
        "max_event_age": TARGET_MAX_EVENT_AGE,
    }
