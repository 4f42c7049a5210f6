"""The shipment item: one per order (pk SHIPMENT#<orderId>), created only if absent."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.shared.entities import ORDER, SHIPMENT, entity_key
from lambdas.shared.errors import reraise


class Shipments:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def create_once(self, order_id: str, item: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """(the shipment item, whether this call created it). A second call returns the first call's item."""
        key = {name: {"S": value} for name, value in entity_key(SHIPMENT, order_id).items()}
        index = {"gsi1pk": {"S": entity_key(ORDER, order_id)["pk"]}, "gsi1sk": {"S": SHIPMENT.key_prefix}}
        full_item = {**item, **key, **index}
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item=full_item,
                ConditionExpression="attribute_not_exists(pk)",
            )
            return full_item, True
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                reraise(error)
        existing = self._client.get_item(TableName=self._table_name, Key=key, ConsistentRead=True)["Item"]
        return existing, False
