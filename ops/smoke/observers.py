"""What the scenario looks at: the table, the event store, queues, workflow executions and the Momento cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import ORDER, PRODUCT, entity_key
from ops.event_store.queries import EventStore, StoredEvent
from ops.orders.history import order_shipment


class Table:
    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.name = table_name

    def get(self, entity: Any, entity_id: str) -> dict[str, Any] | None:
        key = {name: {"S": value} for name, value in entity_key(entity, entity_id).items()}
        item = self.client.get_item(TableName=self.name, Key=key, ConsistentRead=True).get("Item")
        return item_to_json(item) if item else None

    def order(self, order_id: str) -> dict[str, Any] | None:
        return self.get(ORDER, order_id)

    def status(self, order_id: str) -> str:
        order = self.order(order_id)
        return str(order["status"]) if order else "absent"

    def stock(self, sku: str) -> int:
        product = self.get(PRODUCT, sku)
        return int(product["stock"]) if product else -1

    def shipment(self, order_id: str) -> dict[str, Any] | None:
        return order_shipment(self.order(order_id))

    def put(self, item: dict[str, Any]) -> None:
        self.client.put_item(TableName=self.name, Item=item)

    def delete(self, key: dict[str, Any]) -> None:
        self.client.delete_item(TableName=self.name, Key=key)


class Events:
    """The event store, read through the operators' query library."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table_name = table_name
        self.store = EventStore(client, table_name)

    def of(self, entity: str, entity_id: str) -> list[StoredEvent]:
        return self.store.aggregate(entity, entity_id)

    def remove(self, event: StoredEvent) -> None:
        self._client.delete_item(
            TableName=self._table_name, Key={"aggregate": {"S": event.aggregate}, "eventKey": {"S": event.event_key}}
        )


class Queue:
    def __init__(self, client: Any, url: str) -> None:
        self._client = client
        self.url = url

    def take(self, wanted: Any) -> list[dict[str, Any]]:
        """Bodies (parsed) of the messages for which `wanted(body)` holds, deleted; others are left as they were."""
        found = []
        response = self._client.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        for message in response.get("Messages", []):
            body = json.loads(message["Body"])
            if wanted(body):
                found.append(body)
                self._client.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return found


class WorkflowRuns:
    """Executions of the order workflow for given orders, where the service lists them (not Express on AWS)."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self.client = client
        self.arn = state_machine_arn
        self._inputs: dict[str, str] = {}

    def listable(self) -> bool:
        try:
            self.client.list_executions(stateMachineArn=self.arn, maxResults=1)
        except self.client.exceptions.ClientError:
            return False
        return True

    def for_order(self, order_id: str) -> list[dict[str, Any]]:
        runs = []
        for page in self.client.get_paginator("list_executions").paginate(stateMachineArn=self.arn):
            for execution in page["executions"]:
                if f'"entityId": "{order_id}"' in self._input(execution["executionArn"]).replace('":"', '": "'):
                    runs.append(execution)
        return runs

    def states_entered(self, execution_arn: str) -> list[str]:
        events = self.client.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]

    def _input(self, execution_arn: str) -> str:
        if execution_arn not in self._inputs:
            self._inputs[execution_arn] = self.client.describe_execution(executionArn=execution_arn).get("input", "")
        return self._inputs[execution_arn]


class RequestLog:
    """The Momento stand-in's log of every request it received (local runs only)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def entries(self) -> list[dict[str, Any]]:
        if not self._path.exists():
            return []
        return [json.loads(line) for line in self._path.read_text().splitlines() if line.strip()]

    def about(self, order_id: str, since: float = 0) -> list[dict[str, Any]]:
        """Requests for one order (by cache key, or by the order id in a topic message)."""
        found = []
        for entry in self.entries():
            if entry["time"] < since or entry["method"] == "GET":
                continue
            body = json.loads(entry["body"]) if entry["body"].startswith("{") else {}
            if entry["query"].get("key") == order_id or body.get("orderId") == order_id:
                found.append(entry)
        return found
