"""What a load run reads back from the environment: its orders and products, the rejected queue, the event store, the
cache and the dead-letter queues."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import ORDER, PRODUCT, entity_key
from lambdas.shared.table_keys import PARTITION_KEY
from ops.dlq.catalog import DeadLetterQueueInfo, depth
from ops.event_store.queries import EventStore
from ops.momento_cache import MomentoCache

BATCH_GET_KEYS = 100


@dataclass(frozen=True)
class Stored:
    event_id: str
    status: str | None  # the order's status after the change (None for a deletion)
    occurred_at_ms: int | None = None  # when the change happened (the envelope's occurredAt)


class LoadWorld:
    def __init__(self, client: Callable[[str], Any], *, table: str, event_store: str, rejected_queue_url: str,
                 cache: MomentoCache | None, dead_letter_queues: list[DeadLetterQueueInfo]) -> None:  # fmt: skip
        self.dynamodb, self.sqs = client("dynamodb"), client("sqs")
        self.table, self.rejected_queue_url = table, rejected_queue_url
        self.store = EventStore(self.dynamodb, event_store)
        self.cache = cache
        self.dead_letter_queues = dead_letter_queues

    def put(self, item: dict[str, Any]) -> None:
        self.dynamodb.put_item(TableName=self.table, Item=item)

    def delete(self, key: dict[str, Any]) -> None:
        self.dynamodb.delete_item(TableName=self.table, Key=key)

    def orders(self, order_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The run's orders as the table holds them now (strongly consistent), by id."""
        return orders_by_id(self.dynamodb, self.table, order_ids)

    def stock(self, sku: str) -> int | None:
        key = {k: {"S": v} for k, v in entity_key(PRODUCT, sku).items()}
        item = self.dynamodb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
        return int(item["stock"]["N"]) if item else None

    def rejections(self, order_ids: set[str]) -> dict[str, str]:
        """The reasons intake gave for the run's rejected orders, taken off the rejected queue (others stay)."""
        reasons: dict[str, str] = {}
        others: list[str] = []  # receipt handles of other rejections: hidden while the scan lasts, then shown again
        while True:
            response = self.sqs.receive_message(QueueUrl=self.rejected_queue_url, MaxNumberOfMessages=10,
                                                VisibilityTimeout=60, WaitTimeSeconds=1)  # fmt: skip
            messages = response.get("Messages", [])
            if not messages:
                break
            for message in messages:
                rejection = json.loads(message["Body"])
                order_id = _order_id(rejection.get("body"))
                if order_id in order_ids:
                    reasons[order_id] = str(rejection.get("reason"))
                    self.sqs.delete_message(QueueUrl=self.rejected_queue_url, ReceiptHandle=message["ReceiptHandle"])
                else:
                    others.append(message["ReceiptHandle"])
        for handle in others:
            self.sqs.change_message_visibility(QueueUrl=self.rejected_queue_url, ReceiptHandle=handle,
                                               VisibilityTimeout=0)  # fmt: skip
        return reasons

    def histories(self, order_ids: list[str]) -> dict[str, list[Stored]]:
        """Each order's events in the event store, in the order they happened."""

        def history(order_id: str) -> list[Stored]:
            events = self.store.aggregate(ORDER.name, order_id)
            return [Stored(e.event_id, (e.detail.get("data") or {}).get("status"), e.occurred_at) for e in events]

        with ThreadPoolExecutor(max_workers=8) as pool:
            return dict(zip(order_ids, pool.map(history, order_ids), strict=True))

    def cached(self, order_ids: list[str]) -> dict[str, str | None]:
        """Each order's status in the cache (None: not cached); nothing when the run has no cache to read."""
        if self.cache is None:
            return {}
        cache = self.cache

        def status(order_id: str) -> str | None:
            try:
                value = cache.get(order_id)
            except OSError as error:  # the cache did not answer: the order counts as behind there, with the reason
                return f"unreadable ({error})"
            return str(value.get("status")) if value else None

        with ThreadPoolExecutor(max_workers=8) as pool:
            return dict(zip(order_ids, pool.map(status, order_ids), strict=True))

    def dead_letters(self) -> dict[str, int]:
        return {queue.label: depth(self.sqs, queue).visible for queue in self.dead_letter_queues}


def _order_id(body: Any) -> str | None:
    try:
        order = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        return None
    return str(order.get("orderId")) if isinstance(order, dict) else None


def orders_by_id(dynamodb: Any, table: str, order_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Orders as the table holds them now (strongly consistent reads), as plain JSON, by id; unprocessed keys are
    asked for again."""
    keys = [{k: {"S": v} for k, v in entity_key(ORDER, order_id).items()} for order_id in order_ids]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), BATCH_GET_KEYS):
        request: dict[str, Any] = {table: {"Keys": keys[start : start + BATCH_GET_KEYS], "ConsistentRead": True}}
        while request:
            response = dynamodb.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(table, []):
                # By the key: an order another writer put in the table may have no `orderId`
                found[item[PARTITION_KEY]["S"].removeprefix(ORDER.key_prefix)] = item_to_json(item)
            request = response.get("UnprocessedKeys") or {}
    return found
