"""What the table holds about one customer: their item and their orders (found through the ByCustomer index)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lambdas.shared.entities import CUSTOMER, ORDER, entity_key
from lambdas.shared.personal_data import ERASURE_ATTRIBUTE, PERSONAL_FIELDS
from lambdas.shared.table import item_key
from lambdas.shared.table_keys import BY_CUSTOMER, PARTITION_KEY, SORT_KEY

BATCH_GET_KEYS = 100  # BatchGetItem's limit


@dataclass(frozen=True)
class Holdings:
    customer_id: str
    customer: dict[str, Any]  # the item, in DynamoDB JSON
    orders: list[dict[str, Any]]  # the customer's order items, in DynamoDB JSON, oldest first

    @property
    def erasure(self) -> dict[str, Any] | None:
        record = self.customer.get(ERASURE_ATTRIBUTE)
        return record if isinstance(record, dict) else None

    def personal_fields(self) -> list[str]:
        """The customer item's personal attributes that are there."""
        return [path for path in PERSONAL_FIELDS[CUSTOMER.name] if path in self.customer]

    def order_personal_fields(self, order: dict[str, Any]) -> list[str]:
        """`customer.<field>` paths of an order's snapshot that are there."""
        snapshot = (order.get("customer") or {}).get("M") or {}
        return [path for path in PERSONAL_FIELDS[ORDER.name] if path.partition(".")[2] in snapshot]

    def orders_with_personal_fields(self) -> list[dict[str, Any]]:
        return [order for order in self.orders if self.order_personal_fields(order)]

    def order_ids(self) -> list[str]:
        return [order_id_of(order) for order in self.orders]


def order_id_of(order: dict[str, Any]) -> str:
    """The id in an order item's key (an item written by another writer may have no `orderId`)."""
    return str(order[PARTITION_KEY]["S"]).removeprefix(ORDER.key_prefix)


def holdings(dynamodb: Any, table: str, customer_id: str) -> Holdings | None:
    """None when the table has no such customer."""
    found = dynamodb.get_item(TableName=table, Key=item_key(CUSTOMER, customer_id), ConsistentRead=True)
    if "Item" not in found:
        return None
    keys = list(_order_keys(dynamodb, table, customer_id))
    orders = []
    for start in range(0, len(keys), BATCH_GET_KEYS):
        orders += _batch_get(dynamodb, table, keys[start : start + BATCH_GET_KEYS])
    orders.sort(key=lambda order: order.get("createdAt", {}).get("S", ""))
    return Holdings(customer_id, found["Item"], orders)


def _order_keys(dynamodb: Any, table: str, customer_id: str) -> Iterator[dict[str, Any]]:
    """ByCustomer is keys-only and eventually consistent: an order written a moment ago may not be listed yet."""
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table,
        IndexName=BY_CUSTOMER.name,
        KeyConditionExpression="#p = :customer AND begins_with(#s, :orders)",
        ExpressionAttributeNames={"#p": BY_CUSTOMER.partition_key, "#s": BY_CUSTOMER.sort_key},
        ExpressionAttributeValues={
            ":customer": {"S": entity_key(CUSTOMER, customer_id)[PARTITION_KEY]},
            ":orders": {"S": ORDER.key_prefix},
        },
    )
    for page in pages:
        for item in page["Items"]:
            yield {PARTITION_KEY: item[PARTITION_KEY], SORT_KEY: item[SORT_KEY]}


def _batch_get(dynamodb: Any, table: str, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
    while request:
        response = dynamodb.batch_get_item(RequestItems=request)
        found += response["Responses"].get(table, [])
        request = response.get("UnprocessedKeys") or {}
    return found
