"""Customers by id, as snapshots: one BatchGetItem for a whole batch (a pipe batch holds at most 10 messages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.shared.customer_snapshot import SNAPSHOT_ATTRIBUTES
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import CUSTOMER
from lambdas.shared.errors import reraise
from lambdas.shared.personal_data import ERASURE_ATTRIBUTE
from lambdas.shared.table import item_key
from lambdas.shared.table_keys import PARTITION_KEY

MAX_KEYS_PER_BATCH_GET = 100


class Customers:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def snapshots(self, customer_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Customer id -> snapshot, for those the table has; unprocessed keys are asked for again."""
        ids = list(customer_ids)
        if len(ids) > MAX_KEYS_PER_BATCH_GET:
            raise ValueError(f"{len(ids)} customers in one batch; BatchGetItem takes {MAX_KEYS_PER_BATCH_GET}")
        # each attribute behind an expression attribute name: `name` is a reserved word
        # and the erasure record, so that intake can say why an erased customer's order is refused
        attributes = (PARTITION_KEY, *SNAPSHOT_ATTRIBUTES, ERASURE_ATTRIBUTE)
        names = {f"#a{i}": attribute for i, attribute in enumerate(attributes)}
        request: dict[str, Any] = {
            self._table_name: {
                "Keys": [item_key(CUSTOMER, customer_id) for customer_id in ids],
                "ProjectionExpression": ", ".join(names),
                "ExpressionAttributeNames": names,
            }
        }
        found: dict[str, dict[str, Any]] = {}
        while request:
            try:
                response = self._client.batch_get_item(RequestItems=request)
            except ClientError as error:
                reraise(error)
            for item in response["Responses"].get(self._table_name, []):
                # By the item's key, not its `customerId`: an item without one is still this customer's (and intake
                # rejects its orders for what the item lacks).
                customer_id = item[PARTITION_KEY]["S"].removeprefix(CUSTOMER.key_prefix)
                found[customer_id] = {
                    k: v for k, v in item_to_json(item).items() if v is not None and k != PARTITION_KEY
                }
            request = response.get("UnprocessedKeys") or {}
        return found
