"""Where the sweeper looks and what it starts: the OpenOrders index of the single table, the order workflow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from lambdas.order_sweeper.sweep import OpenOrder
from lambdas.shared.entities import ORDER
from lambdas.shared.errors import reraise
from lambdas.shared.table_keys import OPEN_ORDER_SHARDS, OPEN_ORDERS, PARTITION_KEY
from lambdas.shared.workflow_start import execution_name


class OpenOrders:
    def __init__(self, table_name: str, index_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._index_name = index_name  # OPEN_ORDERS.name, from the environment (the grant names the index)
        self._client = client or boto3.client("dynamodb")

    def open_before(self, bound: str) -> Iterator[OpenOrder]:
        """Every order whose open-since key sorts below `bound`, shard by shard, oldest first within each."""
        for shard in range(OPEN_ORDER_SHARDS):
            request: dict[str, Any] = {
                "TableName": self._table_name,
                "IndexName": self._index_name,
                "KeyConditionExpression": "#shard = :shard AND #since < :bound",
                "ExpressionAttributeNames": {"#shard": OPEN_ORDERS.partition_key, "#since": OPEN_ORDERS.sort_key},
                "ExpressionAttributeValues": {":shard": {"S": f"OPEN#{shard}"}, ":bound": {"S": bound}},
            }
            while True:
                try:
                    page = self._client.query(**request)
                except ClientError as error:
                    reraise(error)
                for item in page.get("Items", []):
                    since, _, _ = item[OPEN_ORDERS.sort_key]["S"].partition("#")
                    yield OpenOrder(
                        order_id=item[PARTITION_KEY]["S"].removeprefix(ORDER.key_prefix),
                        open_since=since,
                        correlation_id=item.get("correlationId", {}).get("S"),
                    )
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class Workflow:
    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        self._arn = state_machine_arn
        self._client = client or boto3.client("stepfunctions")

    def start(self, order_id: str, execution_input: dict[str, Any], sweep_id: str) -> str:
        """A named execution (`sweep-<order>-<sweep>`): a sweep starts an order at most once; the name says who."""
        name = execution_name("sweep", order_id, sweep_id)
        try:
            started = self._client.start_execution(stateMachineArn=self._arn, name=name,
                                                   input=json.dumps(execution_input))  # fmt: skip
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return name
            reraise(error)
        return str(started["executionArn"])
