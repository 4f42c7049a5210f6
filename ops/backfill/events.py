"""A table item as the event a backfill delivers: the enrichment's own envelope of the item as if just written
(personal fields withheld, index attributes left out, `version` and `causationId` as the item has them), as a
`<Entity>Created` whose `metadata.backfilled` says when the backfill ran, so a consumer can tell it from a change.

Its event id and time come from the item's state (its key and version, its last change), so delivering the same
state twice is the same event: the event store keeps it once, and a backfill that is run again adds nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from lambdas.enrichment.envelope import envelope
from lambdas.shared.entities import EVENT_SOURCE
from lambdas.shared.table_keys import PARTITION_KEY, SORT_KEY
from lambdas.shared.versions import VERSION_ATTRIBUTE

BACKFILLED = "backfilled"  # metadata field: when the backfill ran (RFC 3339)
CHANGE_TIMES = ("updatedAt", "createdAt")  # an item's last change, newest first, as the app's writers stamp it


def backfill_event(item: dict[str, Any], *, region: str, account: str, table_arn: str, now: datetime) -> dict[str, Any]:
    """`item` in DynamoDB JSON."""
    state = f"{item[PARTITION_KEY]['S']}|{(item.get(VERSION_ATTRIBUTE) or {}).get('N', '')}|{_changed_at(item, now)}"
    event_id = "backfill-" + hashlib.sha256(state.encode()).hexdigest()[:32]
    record = {
        "eventID": event_id,
        "eventName": "INSERT",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": int(_changed_at(item, now).timestamp()),
            "Keys": {PARTITION_KEY: item[PARTITION_KEY], SORT_KEY: item[SORT_KEY]},
            "NewImage": item,
            "SequenceNumber": "0",  # not from a stream: the version orders it
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    detail = envelope(record)
    detail["metadata"][BACKFILLED] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, event_id)),
        "detail-type": detail["metadata"]["detailType"],
        "source": EVENT_SOURCE,
        "account": account,
        "time": detail["metadata"]["occurredTime"],
        "region": region,
        "resources": [table_arn],
        "detail": detail,
    }


def _changed_at(item: dict[str, Any], now: datetime) -> datetime:
    for name in CHANGE_TIMES:
        text = (item.get(name) or {}).get("S")
        if text:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return now
