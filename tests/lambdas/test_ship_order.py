"""ShipOrder: the same shipment however often it runs, no table access at all; bad input."""

from __future__ import annotations

from typing import Any

import pytest
from msgspec import ValidationError

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.ship_order import handler as ship_order
from tests.support.workflow_harness import TABLE_NAME

REQUEST = {
    "orderId": "o-1",
    "correlationId": "corr-1",
    "lineItems": [{"sku": "p-1", "quantity": 2, "unitPriceMinor": 5}],
}


def test_books_the_same_shipment_however_often_it_runs(table: Any, lambda_context: FakeLambdaContext) -> None:
    first = ship_order.handler(REQUEST, lambda_context)
    second = ship_order.handler(REQUEST, lambda_context)

    assert first["shipmentId"] == second["shipmentId"] == "shp-o-1"
    assert first["shippedAt"].endswith("Z")
    assert table.scan(TableName=TABLE_NAME)["Count"] == 0  # the workflow records it on the order (MarkShipped)


@pytest.mark.parametrize(
    "bad",
    [
        {**REQUEST, "lineItems": []},
        {**REQUEST, "orderId": "../etc"},
        {k: v for k, v in REQUEST.items() if k != "orderId"},
        {**REQUEST, "lineItems": [{"sku": "p-1", "quantity": -1, "unitPriceMinor": 5}]},
    ],
)
def test_bad_input_is_rejected(lambda_context: FakeLambdaContext, bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ship_order.handler(bad, lambda_context)
