"""ShipOrder task of the order workflow.

Input: {"orderId", "correlationId", "lineItems": [{"sku", "quantity", "unitPriceMinor"}]} (validated by ProcessOrder).
Output: {"shipmentId", "created"}; a repeated call for the same order returns the same shipment with created=false.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings
from lambdas.shared.validation import converted
from lambdas.ship_order.repository import Shipments
from lambdas.ship_order.shipment import ShipOrderRequest, shipment_item


class Settings(msgspec.Struct, rename="upper"):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]


@cache
def _dependencies() -> Shipments:
    return Shipments(load_settings(Settings).table_name)


@logger.inject_lambda_context(correlation_id_path="correlationId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = converted(event, ShipOrderRequest)
    logger.append_keys(orderId=request.order_id)
    return ship(request, _dependencies())


def ship(request: ShipOrderRequest, shipments: Shipments) -> dict[str, Any]:
    stored, created = shipments.create_once(request.order_id, shipment_item(request))
    if created:
        metrics.add_metric(name="ShipmentsCreated", unit=MetricUnit.Count, value=1)
    else:
        logger.info("Shipment already existed; returning it", extra={"shipmentId": item_to_json(stored)["shipmentId"]})
    return {"shipmentId": item_to_json(stored)["shipmentId"], "created": created}
