"""What a pipe hands its target, built by the local Pipes runner's own code (`local_cloud.pipes`).

SQS records come from the runner's converter of an SQS message; an input template, if the pipe has one, is rendered
by the runner's renderer, which follows the Pipes guide and refuses what it leaves undocumented.
"""

from __future__ import annotations

from typing import Any

from rendering.pipe_input import render
from rendering.pipe_records import sqs_record as record_from_message

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:intake"


def sqs_record(message_id: str, body: str, attributes: dict[str, str] | None = None) -> dict[str, Any]:
    """The record Pipes reads for an SQS message with this id, body and String message attributes."""
    message = {
        "MessageId": message_id,
        "ReceiptHandle": f"handle-{message_id}",
        "Body": body,
        "MD5OfBody": "ignored",
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1763827200000"},
        "MessageAttributes": {
            name: {"StringValue": value, "DataType": "String"} for name, value in (attributes or {}).items()
        },
    }
    return record_from_message(message, QUEUE_ARN, "eu-west-1")


def target_payload(pipe_properties: dict[str, Any], records: list[dict[str, Any]]) -> list[Any]:
    """The batch the pipe's target receives: each record through the pipe's input template, if it has one."""
    template = pipe_properties.get("TargetParameters", {}).get("InputTemplate")
    return records if template is None else [render(template, record, {}) for record in records]
