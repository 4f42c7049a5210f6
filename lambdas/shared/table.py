"""Writing and reading the single table the same way in every handler: item keys built from the key names,
one timestamp format, one test for a failed condition."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from lambdas.shared.entities import Entity, entity_key
from lambdas.shared.table_keys import BY_CUSTOMER, OPEN_ORDER_SHARDS, OPEN_ORDERS, PARTITION_KEY, SORT_KEY

Item = dict[str, Any]  # an item in DynamoDB JSON ({"name": {"S": "..."}})
# A conditional put that creates the item only if no item has its key.
IF_ABSENT = f"attribute_not_exists({PARTITION_KEY})"


def item_key(entity: Entity, entity_id: str) -> Item:
    return {name: {"S": value} for name, value in entity_key(entity, entity_id).items()}


def key_of(item: Item) -> Item:
    return {PARTITION_KEY: item[PARTITION_KEY], SORT_KEY: item[SORT_KEY]}


def index_keys(partition: str, sort: str) -> Item:
    """The ByCustomer attributes of an item: query ByCustomer on `partition`, sorted by `sort`."""
    return {BY_CUSTOMER.partition_key: {"S": partition}, BY_CUSTOMER.sort_key: {"S": sort}}


def open_order_keys(order_id: str, since: str) -> Item:
    """The OpenOrders index attributes of an order not yet settled: its shard, and since when (then its id)."""
    shard = zlib.crc32(order_id.encode()) % OPEN_ORDER_SHARDS
    return {OPEN_ORDERS.partition_key: {"S": f"OPEN#{shard}"}, OPEN_ORDERS.sort_key: {"S": f"{since}#{order_id}"}}


def timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`, the format of every time attribute the handlers write."""
    return (moment or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def condition_failed(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")
