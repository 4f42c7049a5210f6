"""The event store table: each event written once (a conditional put on its key)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.shared.errors import reraise
from lambdas.shared.event_store_keys import AGGREGATE
from lambdas.shared.table import condition_failed


class StoredEvents:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def put_once(self, item: dict[str, Any]) -> bool:
        """True if this call stored the event; False if it was already there (a duplicate or a replay)."""
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#aggregate)",
                ExpressionAttributeNames={"#aggregate": AGGREGATE},  # a reserved word
            )
        except ClientError as error:
            if not condition_failed(error):
                reraise(error)
            return False
        return True
