"""An event store on moto: its table from the EventStore template, fed by the real store handler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.event_store import handler as store_handler
from tests.support.synth import synthesize
from tests.support.workflow_harness import create_table_from_template

STORE_TABLE = "event-store-test"


def sqs_records(*bodies: dict[str, Any] | str, first: int = 1) -> list[dict[str, Any]]:
    """One batch of a buffer's messages as Lambda's SQS event source hands them over (`msg-<n>` from `first`)."""
    return [
        {
            "messageId": f"msg-{number}",
            "receiptHandle": "handle",
            "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:buffer",
            "awsRegion": "eu-west-1",
        }
        for number, body in enumerate(bodies, start=first)
    ]


class StoreFeeder:
    """Delivers bus events to the store handler the way the SQS buffer does (the event JSON as message body)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._messages = 0

    def deliver(self, *bodies: dict[str, Any] | str) -> dict[str, Any]:
        records = sqs_records(*bodies, first=self._messages + 1)
        self._messages += len(records)
        return dict(store_handler.handler({"Records": records}, FakeLambdaContext(function_name="event-store")))

    def items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.client.scan(TableName=STORE_TABLE)["Items"]
        return items


def create_store_table(client: Any, monkeypatch: pytest.MonkeyPatch, retention_days: int | None = None) -> StoreFeeder:
    create_table_from_template(client, synthesize("dev").template("EventStore"), STORE_TABLE)
    monkeypatch.setenv("EVENT_STORE_TABLE_NAME", STORE_TABLE)
    if retention_days is None:
        monkeypatch.delenv("RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("RETENTION_DAYS", str(retention_days))
    store_handler._dependencies.cache_clear()
    return StoreFeeder(client)
