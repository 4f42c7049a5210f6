"""The records Pipes passes on to its enrichment and target: an SQS message's record, and a stream record as Pipes
passes it (after boto3 has parsed it back from the JSON text Pipes sends).

The local Pipes runner builds its batches with these, the DLQ redrive rebuilds a stream batch with them, and the
tests and benchmarks make their inputs with them.
"""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import datetime
from typing import Any

from rendering.pipe_input import PARSED_BODY_FIELDS


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS message as Pipes (and Lambda) hand it on: lower-camel names, attributes as strings."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def as_pipes_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """boto3 parses what Pipes passes on as JSON text: times become datetimes, binary becomes bytes."""
    converted: dict[str, Any] = _plain(record)
    converted["eventSourceARN"] = stream_arn
    return converted


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    if isinstance(node, datetime):
        return int(node.timestamp())  # stream records carry whole epoch seconds
    if isinstance(node, (bytes, bytearray)):
        return base64.b64encode(node).decode()
    return node


def filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """A source record as Pipes' filter sees it: an SQS body that is JSON is matched as parsed JSON, any other as
    text ("Event filtering in Amazon EventBridge Pipes")."""
    view = dict(record)
    for name in PARSED_BODY_FIELDS:
        if isinstance(view.get(name), str):
            with contextlib.suppress(ValueError):
                view[name] = json.loads(view[name])
    return view
