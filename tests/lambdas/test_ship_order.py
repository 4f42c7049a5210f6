"""ShipOrder: one shipment per order however often it runs; bad input and throttling."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from msgspec import ValidationError

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.shared.errors import RetryableError
from lambdas.ship_order import handler as ship_order
from lambdas.ship_order.repository import Shipments
from tests.support.workflow_harness import TABLE_NAME

REQUEST = {
    "orderId": "o-1",
    "correlationId": "corr-1",
    "lineItems": [{"sku": "p-1", "quantity": 2, "unitPriceMinor": 5}],
}


@pytest.fixture
def shipments_table(table: Any) -> Any:
    ship_order._dependencies.cache_clear()
    yield table
    ship_order._dependencies.cache_clear()


def test_creates_the_shipment_once(shipments_table: Any, lambda_context: FakeLambdaContext) -> None:
    first = ship_order.handler(REQUEST, lambda_context)
    second = ship_order.handler(REQUEST, lambda_context)

    assert first == {"shipmentId": "shp-o-1", "created": True}
    assert second == {"shipmentId": "shp-o-1", "created": False}
    items = shipments_table.scan(TableName=TABLE_NAME)["Items"]
    assert len(items) == 1
    [shipment] = items
    assert shipment["pk"] == {"S": "SHIPMENT#o-1"}
    assert shipment["gsi1pk"] == {"S": "ORDER#o-1"}
    assert shipment["correlationId"] == {"S": "corr-1"}
    assert shipment["lineItems"] == {"L": [{"M": {"sku": {"S": "p-1"}, "quantity": {"N": "2"}}}]}


@pytest.mark.parametrize(
    "bad",
    [
        {**REQUEST, "lineItems": []},
        {**REQUEST, "orderId": "../etc"},
        {k: v for k, v in REQUEST.items() if k != "orderId"},
        {**REQUEST, "lineItems": [{"sku": "p-1", "quantity": -1, "unitPriceMinor": 5}]},
    ],
)
def test_bad_input_is_rejected_before_writing(
    shipments_table: Any, lambda_context: FakeLambdaContext, bad: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        ship_order.handler(bad, lambda_context)
    assert shipments_table.scan(TableName=TABLE_NAME)["Count"] == 0


def test_throttled_put_raises_retryable_error() -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("put_item", service_error_code="ThrottlingException")
        with pytest.raises(RetryableError):
            Shipments(TABLE_NAME, client).create_once("o-1", {"shipmentId": {"S": "shp-o-1"}})
