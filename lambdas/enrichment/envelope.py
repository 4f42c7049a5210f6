"""One DynamoDB stream record -> the domain-event envelope of docs/design.md (the `detail` of the bus event).

The pipe's target takes `source` and `detail-type` from `metadata.source` and `metadata.detailType` of this output.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from lambdas.shared.dynamodb_json import UnsupportedAttributeError, item_to_json
from lambdas.shared.entities import EVENT_SOURCE, SCHEMA_VERSION, Entity, entity_of
from lambdas.shared.personal_data import withheld
from lambdas.shared.table_keys import INDEX_ATTRIBUTES, PARTITION_KEY, SORT_KEY
from lambdas.shared.versions import CAUSATION_ATTRIBUTE, VERSION_ATTRIBUTE

CORRELATION_ID_ATTRIBUTE = "correlationId"
# EventBridge refuses entries over 256 KB; the envelope is checked only when the record could be that large.
MAX_EVENT_BYTES = 256 * 1024
LARGE_RECORD_BYTES = 64 * 1024


class RejectedRecordError(ValueError):
    """A stream record that cannot become an event. The message says why, for the logs and the operator."""


def envelope(record: dict[str, Any]) -> dict[str, Any]:
    change, stream = _change_of(record)
    keys = stream.get("Keys") or {}
    partition_key, entity = _entity_of(keys)
    data, previous, inexact_numbers = _images(change, stream)
    # Personal fields stay in the table (lambdas/shared/personal_data.py): the event says which it withheld.
    data, withheld_now = withheld(entity.name, data)
    previous, withheld_before = withheld(entity.name, previous)
    created_seconds = stream.get("ApproximateCreationDateTime")
    sequence_number = stream.get("SequenceNumber")
    if not isinstance(created_seconds, (int, float)) or not sequence_number:
        raise RejectedRecordError("record lacks ApproximateCreationDateTime or SequenceNumber")
    current = data if data is not None else previous or {}
    correlation_id = current.get(CORRELATION_ID_ATTRIBUTE)
    version, causation_id = current.get(VERSION_ATTRIBUTE), current.get(CAUSATION_ATTRIBUTE)
    metadata: dict[str, Any] = {
        "eventId": record["eventID"],
        "source": EVENT_SOURCE,
        "detailType": entity.detail_type(change),
        "entity": entity.name,
        "entityId": partition_key[len(entity.key_prefix) :],
        "change": change,
        "keys": {PARTITION_KEY: partition_key, SORT_KEY: keys.get(SORT_KEY, {}).get("S")},
        # Stream records carry whole seconds; kept in milliseconds so every consumer uses one unit.
        "occurredAt": int(created_seconds * 1000),
        # The same moment as RFC 3339, which the pipe sets as the event's `time`: rules, the archive and replays
        # then see when the change happened, not when it reached the bus.
        "occurredTime": datetime.fromtimestamp(created_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sequenceNumber": sequence_number,
        "schemaVersion": SCHEMA_VERSION,
        "correlationId": str(correlation_id) if correlation_id else record["eventID"],
        # The region whose stream (and pipe) published this change. With a standby region, events reach the other
        # region's bus too (global endpoint replication), and rules with side effects act only on their own
        # region's events (docs/decisions.md, "A standby region").
        "originRegion": record.get("awsRegion") or os.environ.get("AWS_REGION", ""),
    }
    # The item's version and the cause of its change (lambdas/shared/versions.py); absent for an item a writer
    # outside the app wrote without them. A deletion carries the version of the item it removed.
    if isinstance(version, int) and not isinstance(version, bool):
        metadata["version"] = version
    if causation_id:
        metadata["causationId"] = str(causation_id)
    if inexact_numbers:
        metadata["numbersAsStrings"] = inexact_numbers
    if withheld_now or withheld_before:
        metadata["withheld"] = sorted(set(withheld_now) | set(withheld_before))
    result: dict[str, Any] = {"metadata": metadata, "data": data}
    if previous is not None:
        result["previous"] = previous
    if stream.get("SizeBytes", 0) > LARGE_RECORD_BYTES:
        _check_size(result)
    return result


def _change_of(record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The change (INSERT, MODIFY, REMOVE) and the `dynamodb` part of a record that may become an event."""
    event_id = record.get("eventID")
    change = record.get("eventName")
    stream = record.get("dynamodb")
    if not event_id or change not in ("INSERT", "MODIFY", "REMOVE") or not isinstance(stream, dict):
        raise RejectedRecordError(f"not a DynamoDB stream record (eventID={event_id!r}, eventName={change!r})")
    if _is_ttl_expiry(record):
        raise RejectedRecordError("TTL expiry is not a deletion and never becomes an event (the pipe filters these)")
    return str(change), stream


def _entity_of(keys: dict[str, Any]) -> tuple[str, Entity]:
    partition_key = keys.get(PARTITION_KEY, {}).get("S")
    if not partition_key:
        raise RejectedRecordError(f"record has no string partition key '{PARTITION_KEY}'")
    entity = entity_of(partition_key)
    if entity is None:
        raise RejectedRecordError(f"partition key {partition_key!r} has no known entity prefix")
    return partition_key, entity


def _images(change: str, stream: dict[str, Any]) -> tuple[Any, Any, list[str]]:
    """(new image, old image, paths of numbers kept as strings), as plain JSON, without the table's index
    attributes."""
    new_image = stream.get("NewImage")
    old_image = stream.get("OldImage")
    if change != "REMOVE" and new_image is None:
        raise RejectedRecordError(f"{change} record has no NewImage: the stream must be NEW_AND_OLD_IMAGES")
    inexact_numbers: list[str] = []
    try:
        data = item_to_json(_entity_attributes(new_image), inexact_numbers.append) if new_image is not None else None
        previous = (
            item_to_json(_entity_attributes(old_image), inexact_numbers.append) if old_image is not None else None
        )
    except UnsupportedAttributeError as error:
        raise RejectedRecordError(str(error)) from None
    return data, previous, inexact_numbers


def _entity_attributes(image: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in image.items() if name not in INDEX_ATTRIBUTES}


def _is_ttl_expiry(record: dict[str, Any]) -> bool:
    identity = record.get("userIdentity") or {}
    return record.get("eventName") == "REMOVE" and identity.get("type") == "Service"


def _check_size(result: dict[str, Any]) -> None:
    size = len(json.dumps(result, separators=(",", ":")).encode())
    if size > MAX_EVENT_BYTES:
        raise RejectedRecordError(f"event of {size} bytes exceeds EventBridge's {MAX_EVENT_BYTES} byte limit")
