"""ShipOrder task of the order workflow.

Input: {"orderId", "correlationId", "lineItems": [{"sku", "quantity", "unitPriceMinor"}]} (validated by ProcessOrder).
Output: {"shipmentId", "shippedAt"}. It books the shipment (the seam where a carrier's API would be called, with the
shipment id as its idempotency key) and writes nothing: the workflow's MarkShipped records the shipment on the order
with its SHIPPED status, once, since it needs the order RESERVED (decision 29). A repeated call returns the same id.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.shared.observability import logger, metrics
from lambdas.shared.validation import converted
from lambdas.ship_order.shipment import ShipOrderRequest, booked_shipment


@logger.inject_lambda_context(correlation_id_path="correlationId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = converted(event, ShipOrderRequest)
    logger.append_keys(orderId=request.order_id)
    shipment = booked_shipment(request)
    logger.info("Shipment booked", extra={"shipmentId": shipment["shipmentId"]})
    return shipment
