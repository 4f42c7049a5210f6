"""An order's cached view, read from the table: a strongly consistent GetItem of the view's attributes only.

The projection (`view.PROJECTED_ATTRIBUTES`) is also what the function's role allows: the order's customer snapshot,
which holds personal data, is never read here.
"""

from __future__ import annotations

from typing import Any

import boto3

from lambdas.cache_sync.view import PROJECTED_ATTRIBUTES
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import ORDER
from lambdas.shared.table import item_key


class OrderItems:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def read(self, order_id: str) -> dict[str, Any] | None:
        """The order's projected attributes as plain JSON, or None if the table has no such order."""
        names = {f"#a{index}": name for index, name in enumerate(PROJECTED_ATTRIBUTES)}
        response = self._client.get_item(
            TableName=self._table_name,
            Key=item_key(ORDER, order_id),  # ORDER#<id>: view.PARTITION_KEY_PREFIX, as the role requires
            ConsistentRead=True,  # a read that follows the change it was told of (the event came from the stream)
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,  # `status` is a reserved word
        )
        item = response.get("Item")
        return item_to_json(item) if item else None
