"""A batch of stream records into envelopes, in order; one record that cannot become an event fails the batch. A
product's stock-only change and an order's personal-only change are left out: they are no event (publication.py).

Pipes supports no partial failure for enrichments: the whole invocation fails with every bad record's reason, so
the pipe retries, bisects the batch (isolating the bad record) and, after its bounded retries, sends the record's
stream position to its DLQ. Nothing is dropped silently.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from lambdas.enrichment.envelope import RejectedRecordError, envelope
from lambdas.enrichment.publication import is_published
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger


class UnpublishableRecordsError(Exception):
    """Raised to fail the pipe execution; its message lists each bad record with its reason."""


def enrich(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(records, list):
        raise UnpublishableRecordsError(f"expected the pipe's batch (a JSON array), got {type(records).__name__}")
    _record_age(records)
    envelopes: list[dict[str, Any]] = []
    rejections: list[str] = []
    for record in records:
        if isinstance(record, dict) and not is_published(record):
            continue  # not an event (lambdas/enrichment/publication.py)
        try:
            envelopes.append(envelope(record))
        except RejectedRecordError as error:
            position = _position(record)
            logger.error("Stream record cannot become an event", extra={**position, "reason": str(error)})
            rejections.append(f"{position['eventID']} (sequence {position['sequenceNumber']}): {error}")

    if rejections:
        count(Metric.STREAM_RECORDS_REJECTED, len(rejections))
        raise UnpublishableRecordsError(
            f"{len(rejections)} of {len(records)} stream records cannot become events: " + "; ".join(rejections)
        )
    inexact = {
        e["metadata"]["eventId"]: e["metadata"]["numbersAsStrings"]
        for e in envelopes
        if "numbersAsStrings" in e["metadata"]
    }
    if inexact:
        logger.warning("Numbers kept as exact decimal strings: no double holds them", extra={"paths_by_event": inexact})
    count(Metric.STREAM_RECORDS_ENRICHED, len(envelopes))
    return envelopes


def _record_age(records: list[Any]) -> None:
    """How old the batch's oldest change is: Pipes publishes no record-age metric, and a growing age is how a stuck
    shard shows before its records reach the pipe's MaximumRecordAgeInSeconds and only pointers are left."""
    created = [
        r["dynamodb"]["ApproximateCreationDateTime"]
        for r in records
        if isinstance(r, dict)
        and isinstance(r.get("dynamodb"), dict)
        and isinstance(r["dynamodb"].get("ApproximateCreationDateTime"), (int, float))
    ]
    if created:
        count(Metric.STREAM_RECORD_AGE, max(time.time() - min(created), 0), MetricUnit.Seconds)


def _position(record: Any) -> dict[str, Any]:
    stream = record.get("dynamodb") if isinstance(record, dict) else None
    stream = stream if isinstance(stream, dict) else {}
    return {
        "eventID": record.get("eventID") if isinstance(record, dict) else None,
        "sequenceNumber": stream.get("SequenceNumber"),
        "keys": stream.get("Keys"),
    }
