"""The ProcessOrder step of the order workflow: validate the order (rules.py), take its customer (intake's
snapshot, else a read), check its products exist, and plan the reservation.

An invalid order is a business outcome (`{"valid": false, "reason"}`), not an error; a throttled table raises
RetryableError (from the repository), which the state machine retries.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.metrics import MetricUnit

from lambdas.process_order.repository import OrderReferences
from lambdas.process_order.rules import InvalidOrder, check_references, reservation_plan, validate
from lambdas.shared.observability import logger, metrics
from lambdas.shared.table import timestamp

CUSTOMER_FIELDS = ("customerId", "name", "email", "tier")


class ProcessOrderRequest(msgspec.Struct, kw_only=True, rename="camel"):
    order_id: Annotated[str, msgspec.Meta(min_length=1)]
    order: dict[str, Any]
    correlation_id: str | None = None


def process(request: ProcessOrderRequest, references: OrderReferences, table_name: str) -> dict[str, Any]:
    try:
        lines = validate(request.order)
        snapshot = request.order.get("customer")
        customer = check_references(lines, snapshot, references.customer, references.existing_skus)
    except InvalidOrder as invalid:
        logger.info("Order is invalid", extra={"reason": str(invalid)})
        metrics.add_metric(name="OrdersInvalid", unit=MetricUnit.Count, value=1)
        return {"valid": False, "reason": str(invalid)}

    metrics.add_metric(name="OrdersValidated", unit=MetricUnit.Count, value=1)
    return {
        "valid": True,
        "customer": {key: customer[key] for key in CUSTOMER_FIELDS if customer.get(key) is not None}
        | {"customerId": lines.customer_id},
        "totalMinor": lines.total_minor,
        "currency": lines.currency,
        "lineItems": msgspec.to_builtins(lines.line_items),
        "reservation": reservation_plan(table_name, request.order_id, lines, timestamp()),
    }
