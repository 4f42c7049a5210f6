"""A dead-letter message decoded: the original event or message, and why it ended here.

EventBridge adds message attributes to what a rule target's DLQ receives (ERROR_CODE, ERROR_MESSAGE, RULE_ARN,
TARGET_ARN: "Using dead-letter queues to process undelivered events", EventBridge user guide); a stream pipe's DLQ
receives a pointer to a batch (`DDBStreamBatchInfo`: shard and sequence-number range), not its records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

EVENTBRIDGE_ATTRIBUTES = ("ERROR_CODE", "ERROR_MESSAGE", "RULE_ARN", "TARGET_ARN", "EXHAUSTED_RETRY_CONDITION")


@dataclass(frozen=True)
class StreamPointer:
    stream_arn: str
    shard_id: str
    first: str
    last: str
    size: int
    condition: str


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str
    body: str
    sent_at_ms: int | None
    receive_count: int
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
        )  # fmt: skip


def decoded(message: dict[str, Any]) -> DeadLetter:
    attributes = message.get("Attributes", {})
    values = message.get("MessageAttributes", {})
    return DeadLetter(
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        body=message["Body"],
        sent_at_ms=int(attributes["SentTimestamp"]) if "SentTimestamp" in attributes else None,
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        error={name: str(values[name].get("StringValue")) for name in EVENTBRIDGE_ATTRIBUTES if name in values},
    )


def summary(letter: DeadLetter) -> dict[str, Any]:
    """What `show` prints for one message."""
    shown: dict[str, Any] = {"messageId": letter.message_id, "receiveCount": letter.receive_count}
    if letter.error:
        shown["error"] = letter.error
    pointer = letter.pointer
    if pointer is not None:
        shown["streamBatch"] = {"shard": pointer.shard_id, "sequences": f"{pointer.first}..{pointer.last}",
                                "records": pointer.size, "condition": pointer.condition}  # fmt: skip
    else:
        shown["message"] = letter.payload
    return shown
