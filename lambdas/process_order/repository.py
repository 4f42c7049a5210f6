"""Reads ProcessOrder needs from the single table: the order, its customer and the products it names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.shared.entities import CUSTOMER, ORDER, PRODUCT
from lambdas.shared.errors import reraise
from lambdas.shared.table import item_key
from lambdas.shared.table_keys import PARTITION_KEY


class OrderReferences:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def order(self, order_id: str) -> dict[str, Any] | None:
        """The order as it is now (a consistent read: another execution may have just moved it on)."""
        try:
            item: dict[str, Any] | None = self._client.get_item(
                TableName=self._table_name, Key=item_key(ORDER, order_id), ConsistentRead=True
            ).get("Item")
        except ClientError as error:
            reraise(error)
        return item

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        try:
            item: dict[str, Any] | None = self._client.get_item(
                TableName=self._table_name, Key=item_key(CUSTOMER, customer_id)
            ).get("Item")
        except ClientError as error:
            reraise(error)
        return item

    def stock_of(self, skus: Iterable[str]) -> dict[str, Any]:
        """The products the table has, by SKU, with their `stock` attribute as stored (DynamoDB JSON, or None)."""
        keys = [item_key(PRODUCT, sku) for sku in skus]
        found: dict[str, Any] = {}
        request: dict[str, Any] = {self._table_name: {"Keys": keys, "ProjectionExpression": f"{PARTITION_KEY}, stock"}}
        while request:  # at most 50 keys (MAX_LINE_ITEMS) fit one BatchGetItem; unprocessed keys are retried
            try:
                response = self._client.batch_get_item(RequestItems=request)
            except ClientError as error:
                reraise(error)
            for item in response["Responses"].get(self._table_name, []):
                found[item[PARTITION_KEY]["S"].removeprefix(PRODUCT.key_prefix)] = item.get("stock")
            request = response.get("UnprocessedKeys") or {}
        return found
