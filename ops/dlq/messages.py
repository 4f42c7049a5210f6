"""A dead-letter message decoded: the original event or message, and why it ended here.

EventBridge adds message attributes to what a rule target's DLQ receives (ERROR_CODE, ERROR_MESSAGE, RULE_ARN,
TARGET_ARN: "Using dead-letter queues to process undelivered events", EventBridge user guide); a stream pipe's DLQ
receives a pointer to a batch (`DDBStreamBatchInfo`: shard and sequence-number range), not its records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

STREAM_RETENTION = timedelta(hours=24)  # DynamoDB Streams keeps a record 24 hours
EVENTBRIDGE_ATTRIBUTES = ("ERROR_CODE", "ERROR_MESSAGE", "RULE_ARN", "TARGET_ARN", "EXHAUSTED_RETRY_CONDITION")


@dataclass(frozen=True)
class StreamPointer:
    stream_arn: str
    shard_id: str
    first: str
    last: str
    size: int
    condition: str
    error: str = ""
    first_arrival: str = ""  # ISO time the batch's first record reached the stream, when the pointer says

    @property
    def readable_until(self) -> str:
        """When the stream trims the first record (24 h after it arrived): redrive before then."""
        if not self.first_arrival:
            return "unknown (the pointer carries no arrival time)"
        arrived = datetime.fromisoformat(self.first_arrival.replace("Z", "+00:00"))
        return (arrived + STREAM_RETENTION).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str
    body: str
    sent_at_ms: int | None
    error: dict[str, str] = field(default_factory=dict)  # EventBridge's attributes, when it put the message here

    @property
    def payload(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return self.body

    @property
    def pointer(self) -> StreamPointer | None:
        payload = self.payload
        info = payload.get("DDBStreamBatchInfo") if isinstance(payload, dict) else None
        if not isinstance(info, dict):
            return None
        return StreamPointer(
            stream_arn=info["streamArn"], shard_id=info["shardId"], first=str(info["startSequenceNumber"]),
            last=str(info["endSequenceNumber"]), size=int(info.get("batchSize", 0)),
            condition=str(payload.get("requestContext", {}).get("condition", "")),
            error=str(payload.get("responseContext", {}).get("error", "")),
            first_arrival=str(info.get("approximateArrivalOfFirstRecord", "")),
        )  # fmt: skip


def decoded(message: dict[str, Any]) -> DeadLetter:
    attributes = message.get("Attributes", {})
    values = message.get("MessageAttributes", {})
    return DeadLetter(
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        body=message["Body"],
        sent_at_ms=int(attributes["SentTimestamp"]) if "SentTimestamp" in attributes else None,
        error={name: str(values[name].get("StringValue")) for name in EVENTBRIDGE_ATTRIBUTES if name in values},
    )


def summary(letter: DeadLetter) -> dict[str, Any]:
    """What `show` prints for one message."""
    shown: dict[str, Any] = {"messageId": letter.message_id}
    if letter.error:
        shown["error"] = letter.error
    pointer = letter.pointer
    if pointer is not None:
        shown["streamBatch"] = {"shard": pointer.shard_id, "sequences": f"{pointer.first}..{pointer.last}",
                                "records": pointer.size, "condition": pointer.condition, "error": pointer.error,
                                "readableUntil": pointer.readable_until}  # fmt: skip
    else:
        shown["message"] = letter.payload
    return shown
