"""ProcessOrder task of the order workflow.

Input (built by the state machine): {"orderId", "executionName", "correlationId"}; the order is read, as it is now.
Output: {"status"} of the order, and for an order still to reserve either {"valid": false, "reason"} (it must end
INVALID: a business outcome, not an error) or {"valid": true, "customer", "totalMinor", "currency", "lineItems",
"reservation": {"reserve", "release"}}; for a RESERVED order the plan only (workflow_step.py).
Raises RetryableError when the table throttles; any other exception is a failure the state machine handles.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.process_order.repository import OrderReferences
from lambdas.process_order.workflow_step import ProcessOrderRequest, process
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings
from lambdas.shared.validation import converted


class Settings(msgspec.Struct, rename="upper"):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]


@cache
def _dependencies() -> tuple[OrderReferences, str]:
    settings = load_settings(Settings)
    return OrderReferences(settings.table_name), settings.table_name


@logger.inject_lambda_context(correlation_id_path="correlationId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = converted(event, ProcessOrderRequest)  # a malformed request is an error, not an outcome
    logger.append_keys(orderId=request.order_id)
    return process(request, *_dependencies())
