"""ProcessOrder task of the order workflow.

Input (built by the state machine from the OrderCreated event): {"orderId", "order": <the order item>, "correlationId"}.
Output: {"valid": false, "reason"} for an order that must end INVALID (a business outcome, not an error), or
{"valid": true, "customer", "totalMinor", "currency", "lineItems", "reservation": {"reserve", "release"}}.
Raises RetryableError when the table throttles; any other exception is a failure the state machine handles.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from lambdas.process_order.logic import InvalidOrder, check_references, reservation_plan, validate
from lambdas.process_order.repository import OrderReferences
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings


class Settings(BaseModel):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)


class ProcessOrderRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    order_id: str = Field(alias="orderId", min_length=1)
    order: dict[str, Any]
    correlation_id: str | None = Field(default=None, alias="correlationId")


@cache
def _dependencies() -> tuple[Settings, OrderReferences]:
    settings = load_settings(Settings)
    return settings, OrderReferences(settings.table_name)


@logger.inject_lambda_context(correlation_id_path="correlationId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ProcessOrderRequest.model_validate(event)
    settings, references = _dependencies()
    logger.append_keys(orderId=request.order_id)
    return process(request, references, settings.table_name)


def process(request: ProcessOrderRequest, references: OrderReferences, table_name: str) -> dict[str, Any]:
    try:
        lines = validate(request.order)
        customer = check_references(lines, references.customer, references.existing_skus)
    except InvalidOrder as invalid:
        logger.info("Order is invalid", extra={"reason": str(invalid)})
        metrics.add_metric(name="OrdersInvalid", unit=MetricUnit.Count, value=1)
        return {"valid": False, "reason": str(invalid)}

    customer_view = item_to_json(customer)
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    metrics.add_metric(name="OrdersValidated", unit=MetricUnit.Count, value=1)
    return {
        "valid": True,
        "customer": {key: customer_view.get(key) for key in ("customerId", "name", "email")}
        | {"customerId": lines.customer_id},
        "totalMinor": lines.total_minor,
        "currency": lines.currency,
        "lineItems": [item.model_dump(by_alias=True) for item in lines.line_items],
        "reservation": reservation_plan(table_name, request.order_id, lines, now),
    }
