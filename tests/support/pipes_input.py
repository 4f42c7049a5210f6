"""Render an EventBridge Pipes InputTemplate over one SQS record, as Pipes documents it.

- `<$.path>` outside quotes is replaced by the JSON value at that path (a string comes out quoted);
- implicit body parsing: `$.body...` of an SQS record reads the body as JSON when it is valid JSON, else as text;
- a path that resolves to nothing makes the rendering fail (Pipes fails the invocation).
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

PLACEHOLDER = re.compile(r"<(\$(?:\.[\w-]+)+)>")


class UnresolvedPath(KeyError):
    pass


def _value_at(record: dict[str, Any], path: str) -> Any:
    node: Any = record
    for index, name in enumerate(path.removeprefix("$.").split(".")):
        if not isinstance(node, dict) or name not in node:
            raise UnresolvedPath(path)
        node = node[name]
        if name == "body" and index == 0 and isinstance(node, str):
            with contextlib.suppress(ValueError):  # not JSON: Pipes keeps the body as text
                node = json.loads(node)
    return node


def render(template: str, record: dict[str, Any]) -> Any:
    rendered = PLACEHOLDER.sub(lambda match: json.dumps(_value_at(record, match.group(1))), template)
    return json.loads(rendered)


def sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1763827200000"},
        "messageAttributes": {},
        "md5OfBody": "ignored",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:intake",
        "awsRegion": "eu-west-1",
    }
