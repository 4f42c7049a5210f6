"""Small fakes of the AWS clients the local-cloud tools call: each does what its test needs, and records it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError


class FakeClientError(Exception):
    pass


class _Exceptions:
    ClientError = FakeClientError
    ResourceNotFoundException = type("ResourceNotFoundException", (FakeClientError,), {})
    ResourceAlreadyExistsException = type("ResourceAlreadyExistsException", (FakeClientError,), {})


@dataclass
class FakeEvents:
    exceptions = _Exceptions
    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    put: list[dict[str, Any]] = field(default_factory=list)
    matches: Callable[[dict[str, Any], dict[str, Any]], bool] = lambda pattern, event: True

    def _create(self, kind: str, name: str, request: dict[str, Any]) -> str:
        arn = f"arn:aws:events:eu-west-1:000000000000:{kind}/{name}" + ("" if kind == "archive" else "/uuid")
        self.created[name] = {"kind": kind, **request, "Arn": arn}
        return arn

    def update_connection(self, Name: str, **request: Any) -> dict[str, str]:
        raise self.exceptions.ResourceNotFoundException(Name)

    def create_connection(self, Name: str, **request: Any) -> dict[str, str]:
        return {"ConnectionArn": self._create("connection", Name, request)}

    def update_api_destination(self, Name: str, **request: Any) -> dict[str, str]:
        raise self.exceptions.ResourceNotFoundException(Name)

    def create_api_destination(self, Name: str, **request: Any) -> dict[str, str]:
        return {"ApiDestinationArn": self._create("api-destination", Name, request)}

    def create_archive(self, ArchiveName: str, **request: Any) -> dict[str, str]:
        return {"ArchiveArn": self._create("archive", ArchiveName, request)}

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.put.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(len(self.put))} for _ in Entries]}

    def test_event_pattern(self, EventPattern: str, Event: str) -> dict[str, bool]:
        return {"Result": self.matches(json.loads(EventPattern), json.loads(Event))}


@dataclass
class FakeSecrets:
    values: dict[str, str]

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        return {"SecretString": self.values[SecretId]}


@dataclass
class FakeLambda:
    """Runs `functions[name](payload)`; an exception becomes a FunctionError response, as Lambda returns it."""

    functions: dict[str, Callable[[Any], Any]]
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        payload = json.loads(Payload)
        self.calls.append((FunctionName, payload))
        try:
            result = self.functions[FunctionName](payload)
        except Exception as error:
            body = json.dumps({"errorMessage": str(error), "errorType": type(error).__name__})
            return {"FunctionError": "Unhandled", "Payload": io.BytesIO(body.encode())}
        return {"Payload": io.BytesIO(json.dumps(result).encode())}


@dataclass
class FakeSqs:
    sent: dict[str, list[str]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def get_queue_url(self, QueueName: str, QueueOwnerAWSAccountId: str) -> dict[str, str]:
        return {"QueueUrl": f"https://sqs.local/{QueueOwnerAWSAccountId}/{QueueName}"}

    def send_message(self, QueueUrl: str, MessageBody: str, **attributes: Any) -> dict[str, str]:
        self.sent.setdefault(QueueUrl.rsplit("/", 1)[-1], []).append(MessageBody)
        return {"MessageId": "m"}

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int = 1) -> dict[str, Any]:
        """What was sent to the queue, handed out once (a message received here is never redelivered)."""
        queue = self.sent.get(QueueUrl.rsplit("/", 1)[-1], [])
        taken, queue[:] = queue[:MaxNumberOfMessages], queue[MaxNumberOfMessages:]
        return {"Messages": [{"Body": body, "ReceiptHandle": "handle"} for body in taken]}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> dict[str, Any]:
        self.deleted.append(ReceiptHandle)
        return {}


@dataclass
class FakeCloud:
    """Stands for `local_cloud.settings.LocalCloud`: a region, an account and a client per service."""

    clients: dict[str, Any]
    region: str = "eu-west-1"
    account: str = "000000000000"

    def client(self, service: str) -> Any:
        return self.clients[service]


@dataclass
class FakeDynamoDB:
    """A table in memory: PutItem with `attribute_not_exists(<key>)` conditions, GetItem, BatchGetItem (projected
    by attribute names) and Scan; items are keyed by their `pk` and `sk` values. Only what intake and its pipe's
    customer lookup call."""

    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @staticmethod
    def _key(item: dict[str, Any]) -> tuple[str, str]:
        return (item["pk"]["S"], item["sk"]["S"])

    def put_item(self, TableName: str, Item: dict[str, Any], **condition: Any) -> dict[str, Any]:
        existing = self.items.get(self._key(Item))
        if existing is not None and "attribute_not_exists" in condition.get("ConditionExpression", ""):
            response: dict[str, Any] = {"Error": {"Code": "ConditionalCheckFailedException", "Message": "exists"}}
            if condition.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
                response["Item"] = existing
            raise ClientError(response, "PutItem")
        self.items[self._key(Item)] = Item
        return {}

    def get_item(self, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.items.get(self._key(Key))
        return {"Item": item} if item is not None else {}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        responses: dict[str, list[dict[str, Any]]] = {}
        for table_name, request in RequestItems.items():
            names = request.get("ExpressionAttributeNames", {})
            wanted = [names.get(n.strip(), n.strip()) for n in request.get("ProjectionExpression", "").split(",") if n]
            found = [self.items[self._key(key)] for key in request["Keys"] if self._key(key) in self.items]
            responses[table_name] = [{k: v for k, v in i.items() if not wanted or k in wanted} for i in found]
        return {"Responses": responses, "UnprocessedKeys": {}}

    def scan(self, TableName: str) -> dict[str, Any]:
        return {"Items": list(self.items.values())}
