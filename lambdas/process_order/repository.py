"""Reads ProcessOrder needs from the single table: a customer and the products an order names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.shared.entities import CUSTOMER, PRODUCT, entity_key
from lambdas.shared.errors import reraise


class OrderReferences:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        key = {name: {"S": value} for name, value in entity_key(CUSTOMER, customer_id).items()}
        try:
            item: dict[str, Any] | None = self._client.get_item(TableName=self._table_name, Key=key).get("Item")
        except ClientError as error:
            reraise(error)
        return item

    def existing_skus(self, skus: Iterable[str]) -> set[str]:
        keys = [{name: {"S": value} for name, value in entity_key(PRODUCT, sku).items()} for sku in skus]
        found: set[str] = set()
        request: dict[str, Any] = {self._table_name: {"Keys": keys, "ProjectionExpression": "pk"}}
        while request:  # at most 50 keys (MAX_LINE_ITEMS) fit one BatchGetItem; unprocessed keys are retried
            try:
                response = self._client.batch_get_item(RequestItems=request)
            except ClientError as error:
                reraise(error)
            for item in response["Responses"].get(self._table_name, []):
                found.add(item["pk"]["S"].removeprefix(PRODUCT.key_prefix))
            request = response.get("UnprocessedKeys") or {}
        return found
