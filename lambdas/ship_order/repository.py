"""The shipment item: one per order (SHIPMENT#<orderId>), created only if absent, findable from its order (GSI1)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.shared.entities import ORDER, SHIPMENT, entity_key
from lambdas.shared.errors import reraise
from lambdas.shared.table import IF_ABSENT, Item, condition_failed, index_keys, item_key
from lambdas.shared.table_keys import PARTITION_KEY


class Shipments:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def create_once(self, order_id: str, attributes: Item) -> tuple[Item, bool]:
        """(the shipment item, whether this call created it). A second call returns the first call's item."""
        full_item = stored_shipment(order_id, attributes)
        key = item_key(SHIPMENT, order_id)
        try:
            self._client.put_item(TableName=self._table_name, Item=full_item, ConditionExpression=IF_ABSENT)
            return full_item, True
        except ClientError as error:
            if not condition_failed(error):
                reraise(error)
        existing: Item = self._client.get_item(TableName=self._table_name, Key=key, ConsistentRead=True)["Item"]
        return existing, False


def stored_shipment(order_id: str, attributes: Item) -> Item:
    """The shipment item as the table holds it: keyed by its order, and on the order's GSI1 partition."""
    key = item_key(SHIPMENT, order_id)
    return {**attributes, **key, **index_keys(entity_key(ORDER, order_id)[PARTITION_KEY], SHIPMENT.key_prefix)}
