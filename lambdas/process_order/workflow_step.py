"""The ProcessOrder step of the order workflow: read the order as it is now, and say what is left to do.

The workflow resumes from the order's status, so an execution that runs again (EventBridge's redelivery, the
order sweeper, `ops.orders retry`) finishes what an earlier one left:
- not yet reserved: validate it (rules.py), take its customer (intake's snapshot, else a read), check its products
  exist, and plan the reservation; an invalid order is a business outcome (`{"valid": false, "reason"}`);
- RESERVED: plan only (the reservation is made; shipping and the release are what is left);
- settled (SHIPPED, INVALID, BACKORDERED, FAILED) or gone (ABSENT): nothing; the workflow counts it as handled.
A throttled table raises RetryableError (from the repository), which the state machine retries.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from lambdas.process_order.repository import OrderReferences
from lambdas.process_order.rules import InvalidOrder, check_references, reservation_plan, validate
from lambdas.shared.customer_snapshot import SNAPSHOT_ATTRIBUTES
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import ORDER
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger
from lambdas.shared.orders import UNRESERVED, OrderLines, OrderStatus
from lambdas.shared.personal_data import PERSONAL_FIELDS
from lambdas.shared.table import timestamp
from lambdas.shared.validation import converted

# The customer as the workflow passes it on: never a personal field, since execution data may be logged.
CUSTOMER_FIELDS = tuple(name for name in SNAPSHOT_ATTRIBUTES if f"customer.{name}" not in PERSONAL_FIELDS[ORDER.name])
ABSENT = "ABSENT"
UNRESERVED_STATUS = OrderStatus.PENDING.value  # what the workflow routes on for every status of UNRESERVED


class ProcessOrderRequest(msgspec.Struct, kw_only=True, rename="camel"):
    order_id: Annotated[str, msgspec.Meta(min_length=1)]
    execution_name: str = "unknown"  # the workflow execution, recorded on the writes it makes
    correlation_id: str | None = None
    causation_id: str = "unknown"  # the event that started the run, recorded as the cause of its writes


def process(request: ProcessOrderRequest, references: OrderReferences, table_name: str) -> dict[str, Any]:
    item = references.order(request.order_id)
    if item is None:
        logger.warning("Order not found; nothing to do")
        return {"status": ABSENT}
    order = item_to_json(item)
    if order.get("status") is None:
        # Written by something other than intake (intake writes PENDING): settled as INVALID, with this reason.
        reason = "the order item has no status: intake did not write it"
        logger.info("Order is invalid", extra={"reason": reason})
        count(Metric.ORDERS_INVALID)
        return {"status": UNRESERVED_STATUS, "valid": False, "reason": reason}
    status = str(order.get("status"))
    if status == OrderStatus.RESERVED:
        lines = converted(order, OrderLines)  # it was valid when it was reserved
        logger.info("Order already reserved; resuming at shipping")
        return {"status": status, "valid": True, **_planned(request, lines, table_name)}
    if status not in UNRESERVED:
        logger.info("Order already settled; nothing to do", extra={"status": status})
        return {"status": status}
    try:
        lines = validate(order)
        customer = check_references(lines, order.get("customer"), references.customer, references.stock_of)
    except InvalidOrder as invalid:
        logger.info("Order is invalid", extra={"reason": str(invalid)})
        count(Metric.ORDERS_INVALID)
        return {"status": UNRESERVED_STATUS, "valid": False, "reason": str(invalid)}

    count(Metric.ORDERS_VALIDATED)
    return {
        "status": UNRESERVED_STATUS,
        "valid": True,
        "customer": {key: customer[key] for key in CUSTOMER_FIELDS if customer.get(key) is not None}
        | {"customerId": lines.customer_id},
        **_planned(request, lines, table_name),
    }


def _planned(request: ProcessOrderRequest, lines: OrderLines, table_name: str) -> dict[str, Any]:
    return {
        "totalMinor": lines.total_minor,
        "currency": lines.currency,
        "lineItems": msgspec.to_builtins(lines.line_items),
        "reservation": reservation_plan(
            table_name,
            request.order_id,
            lines,
            timestamp(),
            execution=request.execution_name,
            cause=request.causation_id,
        ),
    }
