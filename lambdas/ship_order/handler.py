"""ShipOrder task of the order workflow.

Input: {"orderId", "correlationId", "lineItems": [{"sku", "quantity", "unitPriceMinor"}]} (validated by ProcessOrder).
Output: {"shipmentId", "created"}; a repeated call for the same order returns the same shipment with created=false.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.observability import logger, metrics
from lambdas.shared.orders import ID_PATTERN, LineItem
from lambdas.shared.settings import load_settings
from lambdas.ship_order.repository import Shipments


class Settings(BaseModel):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)


class ShipOrderRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    order_id: str = Field(alias="orderId", pattern=ID_PATTERN)
    correlation_id: str | None = Field(default=None, alias="correlationId")
    line_items: list[LineItem] = Field(alias="lineItems", min_length=1)


@cache
def _shipments() -> Shipments:
    return Shipments(load_settings(Settings).table_name)


@logger.inject_lambda_context(correlation_id_path="correlationId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ShipOrderRequest.model_validate(event)
    logger.append_keys(orderId=request.order_id)
    return ship(request, _shipments())


def ship(request: ShipOrderRequest, shipments: Shipments) -> dict[str, Any]:
    shipment_id = f"shp-{request.order_id}"  # derived from the order: a retry can never make a second shipment
    item = {
        "shipmentId": {"S": shipment_id},
        "orderId": {"S": request.order_id},
        "status": {"S": "CREATED"},
        "createdAt": {"S": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")},
        "lineItems": {
            "L": [{"M": {"sku": {"S": line.sku}, "quantity": {"N": str(line.quantity)}}} for line in request.line_items]
        },
    }
    if request.correlation_id:
        item["correlationId"] = {"S": request.correlation_id}
    stored, created = shipments.create_once(request.order_id, item)
    if created:
        metrics.add_metric(name="ShipmentsCreated", unit=MetricUnit.Count, value=1)
    else:
        logger.info("Shipment already existed; returning it", extra={"shipmentId": shipment_id})
    return {"shipmentId": item_to_json(stored)["shipmentId"], "created": created}
